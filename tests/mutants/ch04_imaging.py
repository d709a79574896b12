"""Chapter 04_imaging: mistakes made between a DICOM file and a screening decision, and other
correct ways to write each exercise."""

from tests.mutants import Alternative, Mutant

CHAPTER = "04_imaging"

MUTANTS = [
    # to_hounsfield
    Mutant("to_hounsfield", "computes in the stored unsigned type", '''
def to_hounsfield(pixels, slope, intercept):
    out = pixels * pixels.dtype.type(slope) + np.array(intercept).astype(pixels.dtype)
    return out.astype(np.float64)
''', "wrapped around"),
    Mutant("to_hounsfield", "adds the intercept before scaling", '''
def to_hounsfield(pixels, slope, intercept):
    return (pixels.astype(np.float64) + intercept) * slope
''', "added the intercept before scaling"),
    Mutant("to_hounsfield", "slope and intercept swapped", '''
def to_hounsfield(pixels, slope, intercept):
    return pixels.astype(np.float64) * intercept + slope
''', "swapped"),
    Mutant("to_hounsfield", "ignores the slope", '''
def to_hounsfield(pixels, slope, intercept):
    return pixels.astype(np.float64) + intercept
''', "ignore RescaleSlope"),
    Mutant("to_hounsfield", "returns the stored type", '''
def to_hounsfield(pixels, slope, intercept):
    return (pixels * slope + intercept).astype(pixels.dtype)
''', "returned the stored integer type"),
    # window_image
    Mutant("window_image", "width on each side", '''
def window_image(hu, center, width):
    return np.clip((hu - (center - width)) / (2 * width), 0, 1)
''', "twice too wide"),
    Mutant("window_image", "lower edge at centre - width", '''
def window_image(hu, center, width):
    return np.clip((hu - (center - width)) / width, 0, 1)
''', "starts at centre - width"),
    Mutant("window_image", "no clipping", '''
def window_image(hu, center, width):
    return (hu - (center - width / 2)) / width
''', "not clipped"),
    Mutant("window_image", "divides by half the width", '''
def window_image(hu, center, width):
    return np.clip((hu - (center - width / 2)) / (width / 2), 0.0, 1.0)
''', "divided by width/2"),
    Mutant("window_image", "grey levels 0-255", '''
def window_image(hu, center, width):
    return 255 * np.clip((np.asarray(hu, float) - center + width / 2) / width, 0, 1)
''', "0 to 255"),
    # voxel_to_world
    Mutant("voxel_to_world", "affine rows and columns swapped", '''
def voxel_to_world(affine, ijk):
    A = np.asarray(affine, float)
    return np.asarray(ijk, float) @ A[:3, :3] + A[:3, 3]
''', "rows and columns of the affine are swapped"),
    Mutant("voxel_to_world", "translation forgotten", '''
def voxel_to_world(affine, ijk):
    A = np.asarray(affine, float)
    return np.asarray(ijk, float) @ A[:3, :3].T
''', "forgot the translation"),
    Mutant("voxel_to_world", "homogeneous coordinate 0", '''
def voxel_to_world(affine, ijk):
    P = np.asarray(ijk, float).reshape(-1, 3)
    homogeneous = np.c_[P, np.zeros(len(P))]
    return (homogeneous @ np.asarray(affine, float).T)[:, :3]
''', "not (i, j, k, 0)"),
    Mutant("voxel_to_world", "(x, y, z) confused with array order", '''
def voxel_to_world(affine, ijk):
    A = np.asarray(affine, float)
    xyz = np.asarray(ijk, float)[:, ::-1]
    return xyz @ A[:3, :3].T + A[:3, 3]
''', "read in reverse order"),
    Mutant("voxel_to_world", "inverse affine", '''
def voxel_to_world(affine, ijk):
    inverse = np.linalg.inv(np.asarray(affine, float))
    P = np.asarray(ijk, float).reshape(-1, 3)
    return P @ inverse[:3, :3].T + inverse[:3, 3]
''', "inverse affine"),
    Mutant("voxel_to_world", "returns homogeneous rows", '''
def voxel_to_world(affine, ijk):
    P = np.asarray(ijk, float).reshape(-1, 3)
    return np.c_[P, np.ones(len(P))] @ np.asarray(affine, float).T
''', "homogeneous coordinates (N, 4)"),
    # largest_component
    Mutant("largest_component", "8-connectivity", '''
def largest_component(mask):
    labels = measure.label(mask, connectivity=mask.ndim)
    if labels.max() == 0:
        return np.zeros(mask.shape, dtype=bool)
    counts = np.bincount(labels.ravel())
    counts[0] = 0
    return labels == np.argmax(counts)
''', "touch only at a corner"),
    Mutant("largest_component", "largest label value", '''
def largest_component(mask):
    labels = measure.label(mask, connectivity=1)
    if labels.max() == 0:
        return np.zeros(mask.shape, dtype=bool)
    return labels == labels.max()
''', "largest label *number*"),
    Mutant("largest_component", "background counted", '''
def largest_component(mask):
    labels, n = ndimage.label(mask)
    return labels == np.argmax(np.bincount(labels.ravel()))
''', "background (label 0)"),
    Mutant("largest_component", "last component on ties", '''
def largest_component(mask):
    labels, n = ndimage.label(mask)
    best, best_size = 0, 0
    for k in range(1, n + 1):
        size = np.sum(labels == k)
        if size >= best_size:
            best, best_size = k, size
    return labels == best if n else np.zeros(mask.shape, dtype=bool)
''', "kept the last component"),
    Mutant("largest_component", "returns integer labels", '''
def largest_component(mask):
    labels, n = ndimage.label(mask)
    if n == 0:
        return np.zeros(mask.shape, dtype=int)
    counts = np.bincount(labels.ravel())
    counts[0] = 0
    return (labels == np.argmax(counts)).astype(int)
''', "return a boolean mask"),
    # dice_coefficient
    Mutant("dice_coefficient", "NaN on two empty masks", '''
def dice_coefficient(pred, truth):
    return float(2 * np.sum(pred & truth) / (np.sum(pred) + np.sum(truth)))
''', "a 0/0"),
    Mutant("dice_coefficient", "IoU instead of Dice", '''
def dice_coefficient(pred, truth):
    union = np.sum(pred | truth)
    return 1.0 if union == 0 else float(np.sum(pred & truth) / union)
''', "computed the IoU"),
    Mutant("dice_coefficient", "no factor 2", '''
def dice_coefficient(pred, truth):
    total = pred.sum() + truth.sum()
    return 1.0 if total == 0 else float((pred & truth).sum() / total)
''', "numerator is 2|P ∩ T|"),
    Mutant("dice_coefficient", "pixel accuracy", '''
def dice_coefficient(pred, truth):
    return float(np.mean(pred == truth))
''', "accuracy"),
    Mutant("dice_coefficient", "0 on two empty masks", '''
def dice_coefficient(pred, truth):
    total = pred.sum() + truth.sum()
    return 0.0 if total == 0 else float(2 * (pred & truth).sum() / total)
''', "you returned 0"),
    # iou
    Mutant("iou", "NaN on two empty masks", '''
def iou(pred, truth):
    return float(np.sum(pred & truth) / np.sum(pred | truth))
''', "a 0/0"),
    Mutant("iou", "IoU computed as Dice", '''
def iou(pred, truth):
    total = pred.sum() + truth.sum()
    return 1.0 if total == 0 else float(2 * (pred & truth).sum() / total)
''', "you computed Dice"),
    Mutant("iou", "|P| + |T| as the union", '''
def iou(pred, truth):
    total = pred.sum() + truth.sum()
    return 1.0 if total == 0 else float((pred & truth).sum() / total)
''', "counts the overlap twice"),
    Mutant("iou", "pixel accuracy", '''
def iou(pred, truth):
    return float((pred == truth).mean())
''', "accuracy"),
    Mutant("iou", "0 on two empty masks", '''
def iou(pred, truth):
    union = (pred | truth).sum()
    return float((pred & truth).sum() / union) if union else 0.0
''', "you returned 0"),
    # hausdorff_distance
    Mutant("hausdorff_distance", "one-directional", '''
def hausdorff_distance(pred, truth, spacing):
    if not pred.any() and not truth.any():
        return 0.0
    if not pred.any() or not truth.any():
        return float("inf")
    d = ndimage.distance_transform_edt(~truth, sampling=spacing)
    return float(d[pred].max())
''', "one-directional"),
    Mutant("hausdorff_distance", "spacing ignored", '''
def hausdorff_distance(pred, truth, spacing):
    if not pred.any() and not truth.any():
        return 0.0
    if not pred.any() or not truth.any():
        return float("inf")
    a, b = np.argwhere(pred), np.argwhere(truth)
    d = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))
    return float(max(d.min(axis=1).max(), d.min(axis=0).max()))
''', "your distance is in pixels"),
    Mutant("hausdorff_distance", "spacing on the wrong axes", '''
def hausdorff_distance(pred, truth, spacing):
    if not pred.any() and not truth.any():
        return 0.0
    if not pred.any() or not truth.any():
        return float("inf")
    s = np.asarray(spacing, float)[::-1]
    to_t = ndimage.distance_transform_edt(~truth, sampling=s)
    to_p = ndimage.distance_transform_edt(~pred, sampling=s)
    return float(max(to_t[pred].max(), to_p[truth].max()))
''', "wrong axes"),
    Mutant("hausdorff_distance", "average instead of maximum", '''
def hausdorff_distance(pred, truth, spacing):
    if not pred.any() and not truth.any():
        return 0.0
    if not pred.any() or not truth.any():
        return float("inf")
    to_t = ndimage.distance_transform_edt(~truth, sampling=spacing)
    to_p = ndimage.distance_transform_edt(~pred, sampling=spacing)
    return float(max(to_t[pred].mean(), to_p[truth].mean()))
''', "averaged the nearest-point distances"),
    Mutant("hausdorff_distance", "farthest point instead of nearest", '''
def hausdorff_distance(pred, truth, spacing):
    if not pred.any() and not truth.any():
        return 0.0
    if not pred.any() or not truth.any():
        return float("inf")
    a = np.argwhere(pred) * np.asarray(spacing, float)
    b = np.argwhere(truth) * np.asarray(spacing, float)
    d = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))
    return float(max(d.max(axis=1).min(), d.max(axis=0).min()))
''', "*farthest* point"),
    # soft_dice_loss
    Mutant("soft_dice_loss", "pooled over the batch", '''
def soft_dice_loss(probs, truth, eps=1.0):
    p = np.asarray(probs, float).ravel()
    g = np.asarray(truth, float).ravel()
    return float(1 - (2 * np.sum(p * g) + eps) / (p.sum() + g.sum() + eps))
''', "one Dice over the whole batch"),
    Mutant("soft_dice_loss", "broadcasts mismatched trailing axes", '''
def soft_dice_loss(probs, truth, eps=1.0):
    p, g = np.asarray(probs, float), np.asarray(truth, float)
    inter = (p * g).sum(axis=tuple(range(1, (p * g).ndim)))
    sums = p.sum(axis=tuple(range(1, p.ndim))) + g.sum(axis=tuple(range(1, g.ndim)))
    return float(np.mean(1 - (2 * inter + eps) / (sums + eps)))
''', "broadcasts"),
    Mutant("soft_dice_loss", "squared denominators", '''
def soft_dice_loss(probs, truth, eps=1.0):
    p = np.asarray(probs, float).reshape(len(probs), -1)
    g = np.asarray(truth, float).reshape(len(truth), -1)
    dice = (2 * (p * g).sum(1) + eps) / ((p ** 2).sum(1) + (g ** 2).sum(1) + eps)
    return float(np.mean(1 - dice))
''', "squared the terms"),
    Mutant("soft_dice_loss", "returns the Dice, not the loss", '''
def soft_dice_loss(probs, truth, eps=1.0):
    p = np.asarray(probs, float).reshape(len(probs), -1)
    g = np.asarray(truth, float).reshape(len(truth), -1)
    return float(np.mean((2 * (p * g).sum(1) + eps) / (p.sum(1) + g.sum(1) + eps)))
''', "returned the soft Dice itself"),
    Mutant("soft_dice_loss", "no eps", '''
def soft_dice_loss(probs, truth, eps=1.0):
    p = np.asarray(probs, float).reshape(len(probs), -1)
    g = np.asarray(truth, float).reshape(len(truth), -1)
    return float(np.mean(1 - 2 * (p * g).sum(1) / (p.sum(1) + g.sum(1))))
''', "left out eps"),
    # detect_nodules
    Mutant("detect_nodules", "sizes in pixels instead of millimetres", '''
def detect_nodules(hu_slice, spacing_mm, min_diameter_mm=4.0, max_diameter_mm=30.0):
    from skimage.feature import blob_log
    body = ndimage.binary_fill_holes(hu_slice > -400)
    lungs = ndimage.binary_erosion(ndimage.binary_fill_holes(body & (hu_slice < -400)))
    image = np.clip((hu_slice + 1000.0) / 1000.0, 0.0, 1.0)
    image[~lungs] = np.median(image[lungs])
    k = 2 * np.sqrt(2)
    blobs = blob_log(image, min_sigma=max(min_diameter_mm / k, 1.0),
                     max_sigma=max_diameter_mm / k, num_sigma=8, threshold=0.05)
    solid, _ = ndimage.label(lungs & (hu_slice > -500))
    centres, seen = [], set()
    for r, c in blobs[:, :2].astype(int):
        lab = solid[r, c]
        if lab == 0 or lab in seen:
            continue
        seen.add(lab)
        pts = np.argwhere(solid == lab)
        d = 2 * np.sqrt(len(pts) / np.pi)  # in pixels
        ev = np.linalg.eigvalsh(np.cov(pts.T)) if len(pts) > 2 else np.ones(2)
        if min_diameter_mm <= d <= max_diameter_mm and np.sqrt(ev[1] / max(ev[0], 1e-12)) < 2:
            centres.append(pts.mean(axis=0))
    return np.array(centres, dtype=float).reshape(-1, 2)
''', "sizes look measured in pixels"),
    Mutant("detect_nodules", "centres as (x, y)", '''
def detect_nodules(hu_slice, spacing_mm, min_diameter_mm=4.0, max_diameter_mm=30.0):
    spacing = np.broadcast_to(np.asarray(spacing_mm, float), (2,))
    body = ndimage.binary_fill_holes(hu_slice > -400)
    lungs = ndimage.binary_fill_holes(body & (hu_slice < -400))
    solid, n = ndimage.label(lungs & (hu_slice > -500))
    centres = []
    for lab in range(1, n + 1):
        pts = np.argwhere(solid == lab) * spacing
        d = 2 * np.sqrt(len(pts) * spacing.prod() / np.pi)
        ev = np.linalg.eigvalsh(np.cov(pts.T)) if len(pts) > 2 else np.ones(2)
        if min_diameter_mm <= d <= max_diameter_mm and np.sqrt(ev[1] / max(ev[0], 1e-12)) < 2:
            row, col = pts.mean(axis=0) / spacing
            centres.append((col, row))
    return np.array(centres, dtype=float).reshape(-1, 2)
''', "not (x, y)"),
    Mutant("detect_nodules", "every bright blob, vessels included", '''
def detect_nodules(hu_slice, spacing_mm, min_diameter_mm=4.0, max_diameter_mm=30.0):
    from skimage.feature import blob_log
    spacing = np.broadcast_to(np.asarray(spacing_mm, float), (2,))
    body = ndimage.binary_fill_holes(hu_slice > -400)
    lungs = ndimage.binary_erosion(ndimage.binary_fill_holes(body & (hu_slice < -400)))
    image = np.clip((hu_slice + 1000.0) / 1000.0, 0.0, 1.0)
    image[~lungs] = np.median(image[lungs])
    to_sigma = 1 / (2 * np.sqrt(2) * spacing)
    lo = np.maximum(min_diameter_mm * to_sigma, 1.0)
    blobs = blob_log(image, min_sigma=lo, max_sigma=np.maximum(max_diameter_mm * to_sigma, lo),
                     num_sigma=8, threshold=0.05)
    return blobs[:, :2].astype(float)
''', "sit on vessels"),
    Mutant("detect_nodules", "returns blob_log's (row, col, sigma) rows", '''
def detect_nodules(hu_slice, spacing_mm, min_diameter_mm=4.0, max_diameter_mm=30.0):
    from skimage.feature import blob_log
    image = np.clip((hu_slice + 1000.0) / 1000.0, 0.0, 1.0)
    s = float(np.mean(spacing_mm))
    return blob_log(image, min_sigma=max(min_diameter_mm / (2.83 * s), 1.0),
                    max_sigma=max_diameter_mm / (2.83 * s), num_sigma=4, threshold=0.2)
''', "drop the sigma"),
    # class_weights
    Mutant("class_weights", "weights swapped", '''
def class_weights(labels):
    y = np.asarray(labels, float)
    pos = y.mean(axis=0)
    if y.ndim == 1:
        return float(pos), float(1 - pos)
    return pos, 1 - pos
''', "swapped"),
    Mutant("class_weights", "counts instead of fractions", '''
def class_weights(labels):
    y = np.asarray(labels, float)
    n_pos, n_neg = y.sum(axis=0), (1 - y).sum(axis=0)
    if y.ndim == 1:
        return float(n_neg), float(n_pos)
    return n_neg, n_pos
''', "returned counts"),
    Mutant("class_weights", "scikit-learn's balanced weights", '''
def class_weights(labels):
    y = np.asarray(labels, float)
    n = len(y)
    w_pos, w_neg = n / (2 * y.sum(axis=0)), n / (2 * (1 - y).sum(axis=0))
    if y.ndim == 1:
        return float(w_pos), float(w_neg)
    return w_pos, w_neg
''', "'balanced'"),
    Mutant("class_weights", "fractions over the whole matrix", '''
def class_weights(labels):
    y = np.asarray(labels, float)
    pos = y.mean()
    if y.ndim == 1:
        return float(1 - pos), float(pos)
    return np.full(y.shape[1], 1 - pos), np.full(y.shape[1], pos)
''', "per label column"),
    # weighted_bce
    Mutant("weighted_bce", "summed over samples", '''
def weighted_bce(y_true, y_prob, w_pos, w_neg, eps=1e-7):
    y, p = np.asarray(y_true, float), np.asarray(y_prob, float)
    return float(np.sum(-(w_pos * y * np.log(p + eps) + w_neg * (1 - y) * np.log(1 - p + eps))))
''', "summed over the samples"),
    Mutant("weighted_bce", "without eps", '''
def weighted_bce(y_true, y_prob, w_pos, w_neg, eps=1e-7):
    y, p = np.asarray(y_true, float), np.asarray(y_prob, float)
    losses = -(w_pos * y * np.log(p) + w_neg * (1 - y) * np.log(1 - p))
    return float(np.sum(np.mean(losses, axis=0)))
''', "log(0) = -inf"),
    Mutant("weighted_bce", "eps outside the logarithm", '''
def weighted_bce(y_true, y_prob, w_pos, w_neg, eps=1e-7):
    y, p = np.asarray(y_true, float), np.asarray(y_prob, float)
    losses = -(w_pos * y * (np.log(p) + eps) + w_neg * (1 - y) * (np.log(1 - p) + eps))
    return float(np.sum(np.mean(losses, axis=0)))
''', "outside the logarithm"),
    Mutant("weighted_bce", "weights swapped", '''
def weighted_bce(y_true, y_prob, w_pos, w_neg, eps=1e-7):
    y, p = np.asarray(y_true, float), np.asarray(y_prob, float)
    losses = -(w_neg * y * np.log(p + eps) + w_pos * (1 - y) * np.log(1 - p + eps))
    return float(np.sum(np.mean(losses, axis=0)))
''', "weights are swapped"),
    Mutant("weighted_bce", "mean over labels too", '''
def weighted_bce(y_true, y_prob, w_pos, w_neg, eps=1e-7):
    y, p = np.asarray(y_true, float), np.asarray(y_prob, float)
    return float(np.mean(-(w_pos * y * np.log(p + eps) + w_neg * (1 - y) * np.log(1 - p + eps))))
''', "*sum* over the L labels"),
    # build_xray_classifier
    Mutant("build_xray_classifier", "returns the training history", '''
def build_xray_classifier(x_train, y_train, x_val, y_val):
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model.fit(x_train, y_train, epochs=1, verbose=0)
''', "return the model itself"),
    Mutant("build_xray_classifier", "three output units", '''
def build_xray_classifier(x_train, y_train, x_val, y_val):
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_train, y_train, epochs=1, verbose=0)
    return model
''', "expected (4, 1)"),
    Mutant("build_xray_classifier", "logits, no sigmoid", '''
def build_xray_classifier(x_train, y_train, x_val, y_val):
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True))
    model.fit(x_train, y_train, epochs=2, verbose=0)
    return model
''', "not probabilities"),
    Mutant("build_xray_classifier", "one probability for every image (never trained)", '''
def build_xray_classifier(x_train, y_train, x_val, y_val):
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(1, activation="sigmoid", kernel_initializer="zeros")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model
''', "same probability"),
    Mutant("build_xray_classifier", "trained on flipped labels", '''
def build_xray_classifier(x_train, y_train, x_val, y_val):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(16, 3, activation="relu"),
                              keras.layers.MaxPooling2D(), keras.layers.Flatten(),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy")
    model.fit(x_train, 1 - y_train, epochs=8, batch_size=32, verbose=0)
    return model
''', "labels flipped"),
    # threshold_for_sensitivity
    Mutant("threshold_for_sensitivity", "smallest threshold", '''
def threshold_for_sensitivity(y_true, scores, target):
    y, s = np.asarray(y_true).astype(bool), np.asarray(scores, float)
    for t in np.unique(s):
        if np.mean(s[y] >= t) >= target:
            return float(t)
''', "smallest threshold"),
    Mutant("threshold_for_sensitivity", "> instead of >=", '''
def threshold_for_sensitivity(y_true, scores, target):
    y, s = np.asarray(y_true).astype(bool), np.asarray(scores, float)
    best = None
    for t in np.unique(s):
        if np.sum(s[y] > t) / y.sum() >= target:
            best = float(t)
    return best
''', "scores >= t"),
    Mutant("threshold_for_sensitivity", "rounded-up count of positives", '''
def threshold_for_sensitivity(y_true, scores, target):
    y, s = np.asarray(y_true).astype(bool), np.asarray(scores, float)
    k = int(np.ceil(target * y.sum()))
    return float(np.sort(s[y])[::-1][k - 1])
''', "ceil of"),
    Mutant("threshold_for_sensitivity", "truncated count of positives", '''
def threshold_for_sensitivity(y_true, scores, target):
    y, s = np.asarray(y_true).astype(bool), np.asarray(scores, float)
    k = max(int(target * y.sum()), 1)
    return float(np.sort(s[y])[::-1][k - 1])
''', "int(target·P)"),
    Mutant("threshold_for_sensitivity", "specificity instead of sensitivity", '''
def threshold_for_sensitivity(y_true, scores, target):
    y, s = np.asarray(y_true).astype(bool), np.asarray(scores, float)
    best = None
    for t in np.unique(s):
        if np.sum(s[~y] < t) / np.sum(~y) >= target:
            best = float(t)
    return best
''', "*specificity*"),
    # bootstrap_auc_ci
    Mutant("bootstrap_auc_ci", "resamples without replacement", '''
def bootstrap_auc_ci(y_true, scores, n_boot=1000, alpha=0.05, seed=0):
    from sklearn.metrics import roc_auc_score
    y, s = np.asarray(y_true), np.asarray(scores, float)
    rng = np.random.default_rng(seed)
    aucs = []
    for _ in range(min(n_boot, 50)):
        idx = rng.permutation(len(y))
        aucs.append(roc_auc_score(y[idx], s[idx]))
    return float(np.percentile(aucs, 100 * alpha / 2)), float(np.percentile(aucs, 100 * (1 - alpha / 2)))
''', "without* replacement"),
    Mutant("bootstrap_auc_ci", "alpha instead of alpha/2", '''
def bootstrap_auc_ci(y_true, scores, n_boot=1000, alpha=0.05, seed=0):
    from scipy.stats import rankdata
    y, s = np.asarray(y_true).astype(bool), np.asarray(scores, float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(y), size=(n_boot, len(y)))
    yb, sb = y[idx], s[idx]
    npos = yb.sum(1)
    keep = (npos > 0) & (npos < len(y))
    r = rankdata(sb[keep], axis=1)
    aucs = ((r * yb[keep]).sum(1) - npos[keep] * (npos[keep] + 1) / 2) / (npos[keep] * (len(y) - npos[keep]))
    return float(np.percentile(aucs, 100 * alpha)), float(np.percentile(aucs, 100 * (1 - alpha)))
''', "alpha/2 in each tail"),
    Mutant("bootstrap_auc_ci", "fractions passed to np.percentile", '''
def bootstrap_auc_ci(y_true, scores, n_boot=1000, alpha=0.05, seed=0):
    from scipy.stats import rankdata
    y, s = np.asarray(y_true).astype(bool), np.asarray(scores, float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(y), size=(n_boot, len(y)))
    yb, sb = y[idx], s[idx]
    npos = yb.sum(1)
    keep = (npos > 0) & (npos < len(y))
    r = rankdata(sb[keep], axis=1)
    aucs = ((r * yb[keep]).sum(1) - npos[keep] * (npos[keep] + 1) / 2) / (npos[keep] * (len(y) - npos[keep]))
    return float(np.percentile(aucs, alpha / 2)), float(np.percentile(aucs, 1 - alpha / 2))
''', "percents"),
    Mutant("bootstrap_auc_ci", "labels and scores resampled separately", '''
def bootstrap_auc_ci(y_true, scores, n_boot=1000, alpha=0.05, seed=0):
    from scipy.stats import rankdata
    y, s = np.asarray(y_true).astype(bool), np.asarray(scores, float)
    rng = np.random.default_rng(seed)
    yb = y[rng.integers(0, len(y), size=(n_boot, len(y)))]
    sb = s[rng.integers(0, len(y), size=(n_boot, len(y)))]
    npos = yb.sum(1)
    keep = (npos > 0) & (npos < len(y))
    r = rankdata(sb[keep], axis=1)
    aucs = ((r * yb[keep]).sum(1) - npos[keep] * (npos[keep] + 1) / 2) / (npos[keep] * (len(y) - npos[keep]))
    return float(np.percentile(aucs, 100 * alpha / 2)), float(np.percentile(aucs, 100 * (1 - alpha / 2)))
''', "breaks the pairs"),
    # grad_cam
    Mutant("grad_cam", "no ReLU", '''
def grad_cam(feature_maps, gradients):
    alpha = gradients.mean(axis=(0, 1))
    cam = (feature_maps * alpha).sum(axis=2)
    return cam / cam.max() if cam.max() > 0 else np.zeros(cam.shape)
''', "applies a ReLU"),
    Mutant("grad_cam", "weights averaged over channels", '''
def grad_cam(feature_maps, gradients):
    weights = gradients.mean(axis=2, keepdims=True)
    cam = np.maximum((feature_maps * weights).sum(axis=2), 0)
    return cam / cam.max() if cam.max() > 0 else np.zeros(cam.shape)
''', "*spatial* positions"),
    Mutant("grad_cam", "not normalised", '''
def grad_cam(feature_maps, gradients):
    alpha = gradients.mean(axis=(0, 1))
    return np.maximum((feature_maps * alpha).sum(axis=2), 0)
''', "not normalised"),
    Mutant("grad_cam", "min-max scaling", '''
def grad_cam(feature_maps, gradients):
    cam = np.maximum(np.tensordot(feature_maps, gradients.mean(axis=(0, 1)), axes=1), 0)
    span = cam.max() - cam.min()
    return (cam - cam.min()) / span if span > 0 else np.zeros(cam.shape)
''', "(cam - min) / (max - min)"),
]

ALTERNATIVES = [
    Alternative("to_hounsfield", "pydicom's modality LUT arithmetic, element by element", '''
def to_hounsfield(pixels, slope, intercept):
    out = np.empty(np.shape(pixels), dtype=np.float64)
    for index, value in np.ndenumerate(pixels):
        out[index] = float(value) * slope + intercept
    return out
'''),
    Alternative("to_hounsfield", "np.multiply with dtype", '''
def to_hounsfield(pixels, slope, intercept):
    return np.multiply(pixels, slope, dtype=np.float64) + intercept
'''),
    Alternative("window_image", "skimage.exposure.rescale_intensity", '''
def window_image(hu, center, width):
    from skimage.exposure import rescale_intensity
    return rescale_intensity(np.asarray(hu, dtype=np.float64),
                             in_range=(center - width / 2, center + width / 2), out_range=(0.0, 1.0))
'''),
    Alternative("window_image", "np.interp", '''
def window_image(hu, center, width):
    hu = np.asarray(hu, dtype=np.float64)
    return np.interp(hu, [center - width / 2, center + width / 2], [0.0, 1.0])
'''),
    Alternative("voxel_to_world", "nibabel.affines.apply_affine", '''
def voxel_to_world(affine, ijk):
    import nibabel
    return nibabel.affines.apply_affine(np.asarray(affine), np.asarray(ijk).reshape(-1, 3)).astype(np.float64)
'''),
    Alternative("voxel_to_world", "homogeneous coordinates, one voxel at a time", '''
def voxel_to_world(affine, ijk):
    A = np.asarray(affine, dtype=np.float64)
    rows = [(A @ np.r_[np.asarray(p, dtype=np.float64), 1.0])[:3] for p in np.asarray(ijk).reshape(-1, 3)]
    return np.array(rows, dtype=np.float64).reshape(-1, 3)
'''),
    Alternative("largest_component", "skimage.measure.label and regionprops-free counts", '''
def largest_component(mask):
    labels = measure.label(mask, connectivity=1)
    if labels.max() == 0:
        return np.zeros(mask.shape, dtype=bool)
    counts = np.bincount(labels.ravel())[1:]
    return labels == 1 + int(np.argmax(counts))
'''),
    Alternative("largest_component", "breadth-first search", '''
def largest_component(mask):
    from collections import deque
    mask = np.asarray(mask, dtype=bool)
    seen = np.zeros(mask.shape, dtype=bool)
    best = []
    steps = [tuple(int(d == a) * s for d in range(mask.ndim)) for a in range(mask.ndim) for s in (1, -1)]
    for start in zip(*np.nonzero(mask)):
        if seen[start]:
            continue
        seen[start] = True
        queue, component = deque([start]), []
        while queue:
            p = queue.popleft()
            component.append(p)
            for step in steps:
                q = tuple(a + b for a, b in zip(p, step))
                if all(0 <= q[i] < mask.shape[i] for i in range(mask.ndim)) and mask[q] and not seen[q]:
                    seen[q] = True
                    queue.append(q)
        if len(component) > len(best):
            best = component
    out = np.zeros(mask.shape, dtype=bool)
    for p in best:
        out[p] = True
    return out
'''),
    Alternative("dice_coefficient", "scikit-learn's f1_score", '''
def dice_coefficient(pred, truth):
    from sklearn.metrics import f1_score
    if not pred.any() and not truth.any():
        return 1.0
    return float(f1_score(truth.ravel(), pred.ravel()))
'''),
    Alternative("iou", "scikit-learn's jaccard_score", '''
def iou(pred, truth):
    from sklearn.metrics import jaccard_score
    if not pred.any() and not truth.any():
        return 1.0
    return float(jaccard_score(truth.ravel(), pred.ravel()))
'''),
    Alternative("iou", "from Dice", '''
def iou(pred, truth):
    total = pred.sum() + truth.sum()
    if total == 0:
        return 1.0
    dice = 2 * (pred & truth).sum() / total
    return float(dice / (2 - dice))
'''),
    Alternative("hausdorff_distance", "scipy's directed_hausdorff on points in mm", '''
def hausdorff_distance(pred, truth, spacing):
    from scipy.spatial.distance import directed_hausdorff
    if not pred.any() and not truth.any():
        return 0.0
    if not pred.any() or not truth.any():
        return float("inf")
    a = np.argwhere(pred) * np.asarray(spacing, float)
    b = np.argwhere(truth) * np.asarray(spacing, float)
    return float(max(directed_hausdorff(a, b)[0], directed_hausdorff(b, a)[0]))
'''),
    Alternative("hausdorff_distance", "brute-force pairwise distances", '''
def hausdorff_distance(pred, truth, spacing):
    a = np.argwhere(pred) * np.asarray(spacing, float)
    b = np.argwhere(truth) * np.asarray(spacing, float)
    if len(a) == 0 and len(b) == 0:
        return 0.0
    if len(a) == 0 or len(b) == 0:
        return float("inf")
    d = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))
    return float(max(d.min(axis=1).max(), d.min(axis=0).max()))
'''),
    Alternative("soft_dice_loss", "a loop over images", '''
def soft_dice_loss(probs, truth, eps=1.0):
    losses = []
    for p, g in zip(np.asarray(probs, float), np.asarray(truth, float)):
        p, g = p.ravel(), g.ravel()
        losses.append(1 - (2 * np.dot(p, g) + eps) / (p.sum() + g.sum() + eps))
    return float(np.mean(losses))
'''),
    Alternative("soft_dice_loss", "Keras ops", '''
def soft_dice_loss(probs, truth, eps=1.0):
    p = keras.ops.reshape(keras.ops.convert_to_tensor(np.asarray(probs, float)), (len(probs), -1))
    g = keras.ops.reshape(keras.ops.convert_to_tensor(np.asarray(truth, float)), (len(truth), -1))
    sums = keras.ops.sum(p, axis=1) + keras.ops.sum(g, axis=1)
    dice = (2 * keras.ops.sum(p * g, axis=1) + eps) / (sums + eps)
    return float(keras.ops.convert_to_numpy(keras.ops.mean(1 - dice)))
'''),
    Alternative("detect_nodules", "components of a threshold, measured in mm (no LoG)", '''
def detect_nodules(hu_slice, spacing_mm, min_diameter_mm=4.0, max_diameter_mm=30.0):
    spacing = np.broadcast_to(np.asarray(spacing_mm, float), (2,))
    body = ndimage.binary_fill_holes(hu_slice > -400)
    lungs = ndimage.binary_fill_holes(body & (hu_slice < -400))
    solid, n = ndimage.label(lungs & (hu_slice > -500))
    centres = []
    for lab in range(1, n + 1):
        pts = np.argwhere(solid == lab) * spacing
        d = 2 * np.sqrt(len(pts) * spacing.prod() / np.pi)
        ev = np.linalg.eigvalsh(np.cov(pts.T)) if len(pts) > 2 else np.ones(2)
        if min_diameter_mm <= d <= max_diameter_mm and np.sqrt(ev[1] / max(ev[0], 1e-12)) < 2:
            centres.append(pts.mean(axis=0) / spacing)
    return np.array(centres, dtype=float).reshape(-1, 2)
'''),
    Alternative("class_weights", "counting in a loop", '''
def class_weights(labels):
    y = np.asarray(labels)
    columns = y.reshape(len(y), -1)
    w_pos = np.array([np.sum(c == 0) / len(c) for c in columns.T])
    w_neg = np.array([np.sum(c == 1) / len(c) for c in columns.T])
    if y.ndim == 1:
        return float(w_pos[0]), float(w_neg[0])
    return w_pos, w_neg
'''),
    Alternative("weighted_bce", "Python loop over samples and labels", '''
def weighted_bce(y_true, y_prob, w_pos, w_neg, eps=1e-7):
    y = np.asarray(y_true, float).reshape(len(y_true), -1)
    p = np.asarray(y_prob, float).reshape(len(y_prob), -1)
    wp = np.broadcast_to(np.asarray(w_pos, float), (y.shape[1],))
    wn = np.broadcast_to(np.asarray(w_neg, float), (y.shape[1],))
    total = 0.0
    for label in range(y.shape[1]):
        terms = [-(wp[label] * yi * np.log(pi + eps) + wn[label] * (1 - yi) * np.log(1 - pi + eps))
                 for yi, pi in zip(y[:, label], p[:, label])]
        total += sum(terms) / len(terms)
    return float(total)
'''),
    Alternative("build_xray_classifier", "two-unit softmax output", '''
def build_xray_classifier(x_train, y_train, x_val, y_val):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Flatten(), keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(2, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=10, batch_size=32, verbose=0)
    return model
'''),
    Alternative("threshold_for_sensitivity", "scikit-learn's roc_curve", '''
def threshold_for_sensitivity(y_true, scores, target):
    from sklearn.metrics import roc_curve
    fpr, tpr, thresholds = roc_curve(np.asarray(y_true), np.asarray(scores, float), drop_intermediate=False)
    ok = [(t, s) for t, s in zip(thresholds, tpr) if np.isfinite(t)]
    y, s = np.asarray(y_true).astype(bool), np.asarray(scores, float)
    best = max(t for t, _ in ok if np.sum(s[y] >= t) / y.sum() >= target)
    return float(best)
'''),
    Alternative("threshold_for_sensitivity", "sorted positive scores", '''
def threshold_for_sensitivity(y_true, scores, target):
    y, s = np.asarray(y_true).astype(bool), np.asarray(scores, float)
    positives = np.sort(s[y])[::-1]
    for k in range(1, len(positives) + 1):
        t = positives[k - 1]
        if np.sum(s[y] >= t) / len(positives) >= target:
            return float(t)
'''),
    Alternative("bootstrap_auc_ci", "a loop with the rank (Mann-Whitney) form of the AUC", '''
def bootstrap_auc_ci(y_true, scores, n_boot=1000, alpha=0.05, seed=0):
    from scipy.stats import rankdata
    y, s = np.asarray(y_true).astype(bool), np.asarray(scores, float)
    rng = np.random.default_rng(seed)
    aucs = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(y), len(y))
        yb, sb = y[idx], s[idx]
        n_pos = yb.sum()
        if 0 < n_pos < len(yb):
            r = rankdata(sb)
            aucs.append((r[yb].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * (len(yb) - n_pos)))
    return tuple(float(v) for v in np.percentile(aucs, [100 * alpha / 2, 100 * (1 - alpha / 2)]))
'''),
    Alternative("bootstrap_auc_ci", "rng.choice and the pairwise definition of AUC", '''
def bootstrap_auc_ci(y_true, scores, n_boot=1000, alpha=0.05, seed=0):
    y, s = np.asarray(y_true).astype(bool), np.asarray(scores, float)
    rng = np.random.default_rng(seed + 12345)
    aucs = []
    for _ in range(n_boot):
        idx = rng.choice(len(y), size=len(y), replace=True)
        pos, neg = s[idx][y[idx]], s[idx][~y[idx]]
        if len(pos) == 0 or len(neg) == 0:
            continue
        diff = pos[:, None] - neg[None, :]
        aucs.append(np.mean(diff > 0) + 0.5 * np.mean(diff == 0))
    return float(np.percentile(aucs, 50 * alpha)), float(np.percentile(aucs, 100 - 50 * alpha))
'''),
    Alternative("grad_cam", "einsum", '''
def grad_cam(feature_maps, gradients):
    alpha = np.einsum("hwk->k", gradients) / (gradients.shape[0] * gradients.shape[1])
    cam = np.maximum(np.einsum("hwk,k->hw", feature_maps, alpha), 0.0)
    return cam / cam.max() if cam.max() > 0 else np.zeros(cam.shape)
'''),
    Alternative("grad_cam", "TensorFlow ops", '''
def grad_cam(feature_maps, gradients):
    A = tf.constant(feature_maps, dtype=tf.float64)
    alpha = tf.reduce_mean(tf.constant(gradients, dtype=tf.float64), axis=(0, 1))
    cam = tf.nn.relu(tf.reduce_sum(A * alpha, axis=-1)).numpy()
    return cam / cam.max() if cam.max() > 0 else np.zeros(cam.shape)
'''),
]
