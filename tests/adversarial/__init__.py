"""Hostile and broken submissions for ``medai grade``: each kind builds a notebook file from the
chapter 00 release and states what grading it must give. See tests/test_grade.py."""
