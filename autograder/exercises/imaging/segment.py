"""Chapter 04_imaging, segment and measure: connected components, Dice, IoU, Hausdorff in mm,
and the soft Dice loss a segmentation network is trained with."""

from __future__ import annotations

import numpy as np

from ...compare import allclose
from ...registry import Case, Exercise, Mistake, reference

CHAPTER = "04_imaging"


def _liver():
    from ....datasets.images import liver_mask_thumbnail

    return liver_mask_thumbnail()


def _liver_predictions(rng):
    """The real liver mask and three imperfect "predictions" of it: eroded, shifted, noisy."""
    from scipy import ndimage

    truth, spacing = _liver()
    eroded = ndimage.binary_erosion(truth, iterations=2)
    shifted = np.roll(truth, (2, -1), axis=(0, 1))
    noisy = truth ^ (rng.random(truth.shape) < 0.03)
    return truth, spacing, {"eroded": eroded, "shifted": shifted, "noisy": noisy}


# --- largest_component --------------------------------------------------------------------------

def _diagonal_mask():
    # A diagonal chain of 5 pixels (one component with 8-connectivity, five with 4) and a 2 x 2
    # block (4 pixels): with face connectivity the block is the largest component.
    mask = np.zeros((7, 8), dtype=bool)
    for i in range(5):
        mask[i, i] = True
    mask[4:6, 6:8] = True
    return mask


def _label_order_mask():
    # The largest component is found first in row-major order; the last label is small.
    mask = np.zeros((6, 6), dtype=bool)
    mask[0:3, 0:3] = True
    mask[5, 5] = True
    return mask


def _tie_mask():
    mask = np.zeros((5, 7), dtype=bool)
    mask[3:5, 0:2] = True  # 4 pixels, first voxel at (3, 0)
    mask[0:2, 5:7] = True  # 4 pixels, first voxel at (0, 5): comes first in row-major order
    return mask


def _volume_mask(rng):
    # Two cubes touching only along an edge (separate with 6-connectivity) and a bigger slab.
    mask = np.zeros((4, 6, 6), dtype=bool)
    mask[0:2, 0:2, 0:2] = True
    mask[2:4, 2:4, 0:2] = True
    mask[0:4, 4:6, 3:6] = rng.random((4, 2, 3)) < 0.9
    return mask


def _component_public(rng):
    yield Case((_diagonal_mask(),), label="a diagonal chain of pixels and a 2x2 block")
    yield Case((_label_order_mask(),), label="a large component first, a single pixel last")
    yield Case((_tie_mask(),), label="two components of equal size (tie)")
    yield Case((_volume_mask(rng),), label="a 3-D mask whose cubes touch only along an edge")
    yield Case((np.zeros((4, 5), dtype=bool),), label="an all-False mask")
    from ....datasets.images import load_ct_stored

    stored = load_ct_stored()[0][32:64, 0:64]  # a crop: public outputs go into the release bundle
    yield Case((stored > 1024 + 100,), label="CT_small.dcm (a 32 x 64 crop): dense tissue above "
               "100 HU, a real mask")


def _component_hidden(rng):
    from ....datasets.images import load_ct_stored

    yield Case((load_ct_stored()[0] < 1024 - 400,), label="CT_small.dcm: air below -400 HU")
    for size, p in [((30, 40), 0.45), ((12, 12, 12), 0.3), ((50, 50), 0.55)]:
        yield Case((rng.random(size) < p,), label=f"random mask {size}, density {p}")
    tie = np.zeros((3, 4, 4), dtype=bool)
    tie[2, 0, 0] = tie[0, 3, 3] = True
    yield Case((tie,), label="two single voxels in a volume (tie)")
    yield Case((np.ones((3, 3), dtype=bool),), label="an all-True mask")
    yield Case((np.zeros((2, 2, 2), dtype=bool),), label="an all-False volume")


def _keep_label(mask, labels, chosen):
    return labels == chosen if mask.any() else np.zeros(mask.shape, dtype=bool)


def _largest_8(mask):
    from skimage.measure import label

    labels = label(mask, connectivity=mask.ndim)
    if not mask.any():
        return np.zeros(mask.shape, dtype=bool)
    counts = np.bincount(labels.ravel())
    counts[0] = 0
    return labels == int(np.argmax(counts))


def _largest_label_value(mask):
    from skimage.measure import label

    labels = label(mask, connectivity=1)
    return _keep_label(mask, labels, labels.max())


def _with_background(mask):
    from skimage.measure import label

    labels = label(mask, connectivity=1)
    return labels == int(np.argmax(np.bincount(labels.ravel())))


def _last_of_ties(mask):
    from skimage.measure import label

    labels = label(mask, connectivity=1)
    if not mask.any():
        return np.zeros(mask.shape, dtype=bool)
    counts = np.bincount(labels.ravel())[1:]
    return labels == len(counts) - int(np.argmax(counts[::-1]))


LARGEST_COMPONENT = Exercise(
    name="largest_component",
    points=2,
    public_cases=_component_public,
    hidden_cases=_component_hidden,
    compare=allclose(rtol=0, atol=0),
    time_limit=5.0,
    mistakes=[
        Mistake("8-connectivity", _largest_8,
                "your components join pixels that touch only at a corner (8-connectivity, "
                "connectivity=2): use face connectivity, 4 neighbours in 2-D and 6 in 3-D "
                "(connectivity=1)."),
        Mistake("largest label value", _largest_label_value,
                "you kept the component with the largest label *number* (the last one found), "
                "not the one with the most pixels: count the pixels of each label."),
        Mistake("background counted", _with_background,
                "the background (label 0) took part in the count: when it is the largest "
                "region you return it; leave label 0 out before taking the largest."),
        Mistake("last of ties", _last_of_ties,
                "on a tie you kept the last component; keep the one found first in row-major "
                "order (lowest label), as np.argmax does."),
        Mistake("labels returned", lambda m: reference(CHAPTER, "largest_component")(m).astype(int),
                "you returned integers; return a boolean mask (True inside the component)."),
    ],
)


# --- dice_coefficient and iou -------------------------------------------------------------------

def _overlap_public(rng):
    truth, _, predictions = _liver_predictions(rng)
    for name in ("eroded", "shifted"):
        yield Case((predictions[name], truth), label=f"real liver mask vs an {name} prediction"
                   if name == "eroded" else f"real liver mask vs a {name} prediction")
    yield Case((np.zeros((4, 4), dtype=bool), np.zeros((4, 4), dtype=bool)),
               label="both masks empty (nothing to find, nothing found)")
    small = np.zeros((6, 6), dtype=bool)
    small[2:4, 2:4] = True
    yield Case((np.zeros((6, 6), dtype=bool), small), label="empty prediction, small truth")
    yield Case((rng.random((3, 5, 4)) < 0.5, rng.random((3, 5, 4)) < 0.5), label="3-D masks")


def _overlap_hidden(rng):
    truth, _, predictions = _liver_predictions(rng)
    yield Case((predictions["noisy"], truth), label="real liver mask vs a noisy prediction")
    yield Case((np.zeros((2, 3, 3), dtype=bool), np.zeros((2, 3, 3), dtype=bool)),
               label="both volumes empty")
    tiny = np.zeros((8, 8), dtype=bool)
    tiny[3, 3] = True
    moved = np.roll(tiny, 1, axis=1)
    yield Case((moved, tiny), label="a one-pixel structure missed by one pixel")
    yield Case((truth, truth), label="a perfect prediction")
    yield Case((rng.random(50) < 0.3, rng.random(50) < 0.3), label="1-D masks")


def _counts(pred, truth):
    p, t = np.asarray(pred, dtype=bool), np.asarray(truth, dtype=bool)
    return float((p & t).sum()), float(p.sum()), float(t.sum()), float((p | t).sum())


def _accuracy(pred, truth):
    return float(np.mean(np.asarray(pred, bool) == np.asarray(truth, bool)))


DICE = Exercise(
    name="dice_coefficient",
    points=1,
    public_cases=_overlap_public,
    hidden_cases=_overlap_hidden,
    compare=allclose(rtol=1e-9, atol=1e-12),
    time_limit=5.0,
    advice="two empty masks give 0/0; the convention is 1.0 there (nothing to find, nothing found).",
    mistakes=[
        Mistake("IoU", lambda p, t: reference(CHAPTER, "iou")(p, t),
                "you computed the IoU (Jaccard) |P ∩ T| / |P ∪ T|; Dice is 2|P ∩ T| / (|P| + |T|) "
                "(Dice = 2 IoU / (1 + IoU))."),
        Mistake("no factor 2", lambda p, t: reference(CHAPTER, "dice_coefficient")(p, t) / 2,
                "your Dice is half the right value: the numerator is 2|P ∩ T| (a perfect "
                "prediction must give 1)."),
        Mistake("pixel accuracy", _accuracy,
                "you computed the fraction of pixels that agree (accuracy), which the background "
                "dominates; Dice only looks at the foreground: 2|P ∩ T| / (|P| + |T|)."),
        Mistake("0 when empty", lambda p, t: 0.0 if not (np.any(p) or np.any(t))
                else reference(CHAPTER, "dice_coefficient")(p, t),
                "on two empty masks you returned 0; the convention is 1.0 (the prediction is "
                "perfect: nothing to find, nothing found)."),
    ],
)

IOU = Exercise(
    name="iou",
    points=1,
    public_cases=_overlap_public,
    hidden_cases=_overlap_hidden,
    compare=allclose(rtol=1e-9, atol=1e-12),
    time_limit=5.0,
    advice="two empty masks give 0/0; the convention is 1.0 there (nothing to find, nothing found).",
    mistakes=[
        Mistake("Dice", lambda p, t: reference(CHAPTER, "dice_coefficient")(p, t),
                "you computed Dice 2|P ∩ T| / (|P| + |T|); IoU divides the intersection by the "
                "union: |P ∩ T| / |P ∪ T|."),
        Mistake("sum as union",
                lambda p, t: 1.0 if not (np.any(p) or np.any(t))
                else _counts(p, t)[0] / (_counts(p, t)[1] + _counts(p, t)[2]),
                "your denominator is |P| + |T|, which counts the overlap twice; the union is "
                "|P| + |T| - |P ∩ T|."),
        Mistake("pixel accuracy", _accuracy,
                "you computed the fraction of pixels that agree (accuracy); IoU ignores the "
                "pixels both masks call background: |P ∩ T| / |P ∪ T|."),
        Mistake("0 when empty", lambda p, t: 0.0 if not (np.any(p) or np.any(t))
                else reference(CHAPTER, "iou")(p, t),
                "on two empty masks you returned 0; the convention is 1.0 (nothing to find, "
                "nothing found)."),
    ],
)


# --- hausdorff_distance -------------------------------------------------------------------------

def _directed(a, b, spacing):
    """max over a of the distance to the nearest point of b, in the units of spacing."""
    from scipy.spatial import cKDTree

    pa = np.argwhere(np.asarray(a, bool)) * np.asarray(spacing, float)
    pb = np.argwhere(np.asarray(b, bool)) * np.asarray(spacing, float)
    if len(pa) == 0 and len(pb) == 0:
        return 0.0
    if len(pa) == 0 or len(pb) == 0:
        return float("inf")
    return float(cKDTree(pb).query(pa)[0].max())


def _hausdorff_public(rng):
    a = np.zeros((5, 8), dtype=bool)
    a[2, 1] = True
    b = np.zeros((5, 8), dtype=bool)
    b[2, 1] = b[2, 6] = True
    yield Case((a, b, (1.0, 1.0)), label="one point against two: the distance is not symmetric")
    yield Case((b.T, a.T, [0.8, 2.5]), label="the same, transposed, anisotropic spacing as a list")
    truth, spacing, predictions = _liver_predictions(rng)
    yield Case((predictions["shifted"], truth, spacing),
               label="real liver mask vs a shifted prediction, spacing in mm")
    yield Case((np.zeros((3, 3), dtype=bool), np.zeros((3, 3), dtype=bool), (1.0, 1.0)),
               label="both masks empty")
    yield Case((np.zeros((3, 3), dtype=bool), np.eye(3, dtype=bool), (1.0, 1.0)),
               label="empty prediction, non-empty truth")
    p, t = rng.random((4, 6, 5)) < 0.1, rng.random((4, 6, 5)) < 0.1
    yield Case((p, t, (3.0, 0.7, 0.7)), label="3-D masks, thick slices (3 mm) and 0.7 mm pixels")


def _hausdorff_hidden(rng):
    truth, spacing, predictions = _liver_predictions(rng)
    yield Case((predictions["eroded"], truth, spacing), label="real liver mask vs an eroded one")
    yield Case((predictions["noisy"], truth, (0.5, 4.0)), label="noisy prediction, anisotropic")
    yield Case((np.eye(4, dtype=bool), np.zeros((4, 4), dtype=bool), [2.0, 2.0]),
               label="non-empty prediction, empty truth")
    p, t = rng.random((5, 5, 5)) < 0.05, rng.random((5, 5, 5)) < 0.05
    yield Case((p, t, (2.5, 1.0, 0.6)), label="sparse 3-D masks, anisotropic voxels")
    yield Case((np.zeros((2, 2, 2), dtype=bool),) * 2 + ((1.0, 1.0, 1.0),), label="two empty volumes")


HAUSDORFF = Exercise(
    name="hausdorff_distance",
    points=2,
    public_cases=_hausdorff_public,
    hidden_cases=_hausdorff_hidden,
    compare=allclose(rtol=1e-9, atol=1e-9),
    time_limit=10.0,
    mistakes=[
        Mistake("one direction", lambda p, t, s: _directed(p, t, s),
                "your distance is one-directional (from the prediction to the truth only); the "
                "Hausdorff distance is the larger of the two directed distances, P to T and T to P."),
        Mistake("other direction", lambda p, t, s: _directed(t, p, s),
                "your distance is one-directional (from the truth to the prediction only); the "
                "Hausdorff distance is the larger of the two directed distances, P to T and T to P."),
        Mistake("spacing ignored", lambda p, t, s: reference(CHAPTER, "hausdorff_distance")(
            p, t, np.ones(len(s))),
                "your distance is in pixels: multiply each index by the spacing of its axis "
                "(mm per pixel) before measuring distances."),
        Mistake("spacing reversed", lambda p, t, s: reference(CHAPTER, "hausdorff_distance")(
            p, t, np.asarray(s, float)[::-1]),
                "the spacing went to the wrong axes (reversed): spacing[0] belongs to axis 0 "
                "(rows, or slices in 3-D), as in DICOM's PixelSpacing (row, column)."),
        Mistake("min and max swapped",
                lambda p, t, s: max(_minimax(p, t, s), _minimax(t, p, s)),
                "you took, for each point, the distance to the *farthest* point of the other set "
                "and then the smallest of those; Hausdorff is the other way round: the largest, "
                "over points, of the distance to the *nearest* point of the other set."),
        Mistake("mean instead of max",
                lambda p, t, s: max(_mean_directed(p, t, s), _mean_directed(t, p, s)),
                "you averaged the nearest-point distances; Hausdorff takes the worst case: the "
                "maximum over points of the distance to the nearest point of the other set."),
    ],
)


def _minimax(a, b, spacing):
    pa = np.argwhere(np.asarray(a, bool)) * np.asarray(spacing, float)
    pb = np.argwhere(np.asarray(b, bool)) * np.asarray(spacing, float)
    if len(pa) == 0 or len(pb) == 0:
        raise ValueError("only for non-empty masks")
    d = np.sqrt(((pa[:, None, :] - pb[None, :, :]) ** 2).sum(axis=2))
    return float(d.max(axis=1).min())


def _mean_directed(a, b, spacing):
    from scipy.spatial import cKDTree

    pa = np.argwhere(np.asarray(a, bool)) * np.asarray(spacing, float)
    pb = np.argwhere(np.asarray(b, bool)) * np.asarray(spacing, float)
    if len(pa) == 0 or len(pb) == 0:
        raise ValueError("only for non-empty masks")
    return float(cKDTree(pb).query(pa)[0].mean())


# --- soft_dice_loss -----------------------------------------------------------------------------

def _probs(rng, shape):
    return rng.random(shape)


def _truth(rng, shape, p=0.3):
    return (rng.random(shape) < p).astype(np.float64)


def _soft_public(rng):
    yield Case((_probs(rng, (3, 5, 5)), _truth(rng, (3, 5, 5))), label="3 images (N, H, W)")
    yield Case((_probs(rng, (2, 4, 6, 1)), _truth(rng, (2, 4, 6, 1))),
               label="2 images (N, H, W, 1), as Keras passes them")
    yield Case((_probs(rng, (1, 4, 4, 1)), _truth(rng, (1, 4, 4))),
               label="one square image: predictions (N, H, W, 1), truth (N, H, W)")
    yield Case((_probs(rng, (2, 3, 4)), _truth(rng, (2, 3, 4, 1))),
               label="predictions (N, H, W), truth (N, H, W, 1)")
    truth, probs = _truth(rng, (3, 4, 4), 0.4), _probs(rng, (3, 4, 4))
    truth[1] = 0.0
    probs[1] = 0.0
    yield Case((probs, truth), {"eps": 0.5},
               label="one image with no foreground and nothing predicted, eps = 0.5")


def _soft_hidden(rng):
    yield Case((_probs(rng, (5, 6, 6, 1)), _truth(rng, (5, 6, 6))),
               label="5 images, trailing axis on one side")
    yield Case((_probs(rng, (1, 8, 8)), _truth(rng, (1, 8, 8), 0.05)), label="one image, small structure")
    yield Case((np.zeros((2, 3, 3)), np.zeros((2, 3, 3))), label="empty predictions and truth")
    yield Case((_probs(rng, (4, 5, 3, 1)), _truth(rng, (4, 5, 3, 1))), {"eps": 1e-6},
               label="tiny eps")


def _flat(x):
    x = np.asarray(x, dtype=np.float64)
    return x.reshape(x.shape[0], -1)


def _soft_pooled(probs, truth, eps=1.0):
    p, g = _flat(probs).ravel(), _flat(truth).ravel()
    return float(1 - (2 * np.sum(p * g) + eps) / (p.sum() + g.sum() + eps))


def _soft_broadcast(probs, truth, eps=1.0):
    p, g = np.asarray(probs, float), np.asarray(truth, float)
    if p.shape == g.shape:
        raise ValueError("only when the shapes differ")
    prod = p * g  # broadcasting silently makes (N, H, W, W) or fails
    axes = tuple(range(1, prod.ndim))
    inter = prod.sum(axis=axes)
    return float(np.mean(1 - (2 * inter + eps) / (p.sum(axis=tuple(range(1, p.ndim)))
                                                 + g.sum(axis=tuple(range(1, g.ndim))) + eps)))


def _soft_squared(probs, truth, eps=1.0):
    p, g = _flat(probs), _flat(truth)
    return float(np.mean(1 - (2 * (p * g).sum(1) + eps) / ((p ** 2).sum(1) + (g ** 2).sum(1) + eps)))


SOFT_DICE = Exercise(
    name="soft_dice_loss",
    points=2,
    public_cases=_soft_public,
    hidden_cases=_soft_hidden,
    compare=allclose(rtol=1e-9, atol=1e-12),
    time_limit=5.0,
    mistakes=[
        Mistake("pooled over the batch", _soft_pooled,
                "you computed one Dice over the whole batch (sums over all images pooled); the "
                "loss is the mean over images of each image's own 1 - Dice, so a small structure "
                "in one image is not drowned by large ones in the others."),
        Mistake("broadcast", _soft_broadcast,
                "(N, H, W, 1) times (N, H, W) broadcasts to a 4-D array of the wrong shape "
                "(or fails): reshape both to (N, H*W) first."),
        Mistake("squared denominators", _soft_squared,
                "you squared the terms of the denominator (the V-Net variant); this exercise's "
                "loss uses sum(p) + sum(g)."),
        Mistake("Dice, not loss", lambda p, g, eps=1.0: 1 - reference(CHAPTER, "soft_dice_loss")(p, g, eps),
                "you returned the soft Dice itself; the loss is 1 - Dice (0 for a perfect "
                "prediction, so minimising it improves the overlap)."),
        Mistake("sum over images", lambda p, g, eps=1.0: reference(CHAPTER, "soft_dice_loss")(p, g, eps)
                * np.asarray(p).shape[0],
                "you summed the per-image losses; take their mean over the N images."),
        Mistake("eps in the numerator only",
                lambda p, g, eps=1.0: float(np.mean(1 - (2 * (_flat(p) * _flat(g)).sum(1) + eps)
                                                      / (_flat(p).sum(1) + _flat(g).sum(1)))),
                "eps belongs in the numerator and in the denominator: (2 Σpg + eps) / "
                "(Σp + Σg + eps), so an empty image with an empty prediction scores 1."),
        Mistake("no eps", lambda p, g, eps=1.0: float(np.mean(1 - (2 * (_flat(p) * _flat(g)).sum(1))
                                                             / (_flat(p).sum(1) + _flat(g).sum(1)))),
                "you left out eps: (2 Σpg + eps) / (Σp + Σg + eps); it keeps empty images "
                "finite and smooths the loss."),
    ],
)
