# medai-course grading image: `medai grade` with bubblewrap isolation, for a Kubernetes Indexed Job
# (deploy/kubernetes/) or any container runtime. Build from the repository root:
#   docker build -t medai-grade .
# The image holds the course's solutions/ (the instructor's copy: hidden grading needs them).
# Never give it to students.
FROM python:3.11-slim

RUN apt-get update \
    && apt-get install -y --no-install-recommends bubblewrap make \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/medai-course
COPY pyproject.toml README.md LICENSE nbgrader_config.py ./
COPY autograder ./autograder
COPY datasets ./datasets
COPY solutions ./solutions
COPY course ./course
RUN pip install --no-cache-dir -e . \
    && medai doctor || true

ENV MEDAI_OFFLINE=1 \
    MPLBACKEND=Agg \
    TF_CPP_MIN_LOG_LEVEL=3
# bubblewrap needs unprivileged user namespaces inside the container: see deploy/README.md.
ENTRYPOINT ["medai"]
CMD ["doctor"]
