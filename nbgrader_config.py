"""nbgrader configuration: solutions/ is the source, course/ the release."""

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "medai-course"
c.CourseDirectory.root = "."
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "course"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
# Data files that live beside a chapter's notebooks are released with them.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
# Outputs are stripped from the released notebooks, which are committed.
c.ClearOutput.enabled = True
c.Execute.timeout = 600
