"""Chapter 04_imaging: from DICOM to a screening decision. The exercises, in notebook order, are
split by stage of the pipeline: acquire (HU, windows, affines), segment (components, overlap and
distance metrics, soft Dice), detect (lung nodules), classify (weights, loss, threshold, bootstrap,
Grad-CAM) and model (the Keras classifier)."""

from . import detect, model
from .acquire import TO_HOUNSFIELD, VOXEL_TO_WORLD, WINDOW_IMAGE
from .classify import BOOTSTRAP, CLASS_WEIGHTS, GRAD_CAM, THRESHOLD, WEIGHTED_BCE
from .detect import DETECT_NODULES
from .model import BUILD_XRAY_CLASSIFIER
from .segment import DICE, HAUSDORFF, IOU, LARGEST_COMPONENT, SOFT_DICE

CHAPTER = "04_imaging"

EXERCISES = [
    # 01_acquire.ipynb
    TO_HOUNSFIELD, WINDOW_IMAGE, VOXEL_TO_WORLD,
    # 02_segment_detect.ipynb
    LARGEST_COMPONENT, DICE, IOU, HAUSDORFF, SOFT_DICE, DETECT_NODULES,
    # 03_classify.ipynb
    CLASS_WEIGHTS, WEIGHTED_BCE, BUILD_XRAY_CLASSIFIER, THRESHOLD, BOOTSTRAP, GRAD_CAM,
]


def warm_worker() -> None:
    """Run by a grading worker before it forks: the detector's phantom slices and the classifier's
    X-rays, which the grader's side of every submission's cases would otherwise compute again."""
    detect.warm_worker()
    model.warm_worker()
