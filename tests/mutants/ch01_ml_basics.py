"""Chapter 01_ml_basics: mistakes seen in metrics, splits, logistic regression, k-means and model
building, and other correct ways to write each exercise."""

from tests.mutants import Alternative, Mutant

CHAPTER = "01_ml_basics"

MUTANTS = [
    # confusion_counts
    Mutant("confusion_counts", "fp and fn swapped", '''
def confusion_counts(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    return {"tp": int(((t == 1) & (p == 1)).sum()), "fp": int(((t == 1) & (p == 0)).sum()),
            "tn": int(((t == 0) & (p == 0)).sum()), "fn": int(((t == 0) & (p == 1)).sum())}
''', "false positives and false negatives are swapped"),
    Mutant("confusion_counts", "0 taken as the positive class", '''
def confusion_counts(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    return {"tp": int(((t == 0) & (p == 0)).sum()), "fp": int(((t == 1) & (p == 0)).sum()),
            "tn": int(((t == 1) & (p == 1)).sum()), "fn": int(((t == 0) & (p == 1)).sum())}
''', "0 as the positive class"),
    Mutant("confusion_counts", "Python lists not converted", '''
def confusion_counts(y_true, y_pred):
    return {"tp": int(np.sum((y_true == 1) & (y_pred == 1))),
            "fp": int(np.sum((y_true == 0) & (y_pred == 1))),
            "tn": int(np.sum((y_true == 0) & (y_pred == 0))),
            "fn": int(np.sum((y_true == 1) & (y_pred == 0)))}
''', "Python lists"),
    Mutant("confusion_counts", "operator precedence: & binds before ==", '''
def confusion_counts(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    return {"tp": int(np.sum(t == 1 & p == 1)), "fp": int(np.sum(t == 0 & p == 1)),
            "tn": int(np.sum(t == 0 & p == 0)), "fn": int(np.sum(t == 1 & p == 0))}
''', "ValueError"),
    Mutant("confusion_counts", "keys named differently", '''
def confusion_counts(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    return {"TP": int(((t == 1) & (p == 1)).sum()), "FP": int(((t == 0) & (p == 1)).sum()),
            "TN": int(((t == 0) & (p == 0)).sum()), "FN": int(((t == 1) & (p == 0)).sum())}
''', "missing the key"),
    # sensitivity
    Mutant("sensitivity", "precision instead (swapped)", '''
def sensitivity(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    tp, fp = np.sum((t == 1) & (p == 1)), np.sum((t == 0) & (p == 1))
    return tp / (tp + fp) if tp + fp else 0.0
''', "sensitivity and precision are swapped"),
    Mutant("sensitivity", "specificity instead", '''
def sensitivity(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    tn, fp = np.sum((t == 0) & (p == 0)), np.sum((t == 0) & (p == 1))
    return tn / (tn + fp) if tn + fp else 0.0
''', "your value is the specificity"),
    Mutant("sensitivity", "no zero-division guard", '''
def sensitivity(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    tp, fn = np.sum((t == 1) & (p == 1)), np.sum((t == 1) & (p == 0))
    return tp / (tp + fn)
''', "zero denominator must give 0.0"),
    Mutant("sensitivity", "accuracy instead", '''
def sensitivity(y_true, y_pred):
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))
''', "accuracy"),
    Mutant("sensitivity", "ZeroDivisionError with Python ints", '''
def sensitivity(y_true, y_pred):
    tp = sum(1 for t, p in zip(y_true, y_pred) if t == 1 and p == 1)
    fn = sum(1 for t, p in zip(y_true, y_pred) if t == 1 and p == 0)
    return tp / (tp + fn)
''', "ZeroDivisionError"),
    # specificity
    Mutant("specificity", "tn / (tn + fn)", '''
def specificity(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    tn, fn = np.sum((t == 0) & (p == 0)), np.sum((t == 1) & (p == 0))
    return tn / (tn + fn) if tn + fn else 0.0
''', "negative predictive value"),
    Mutant("specificity", "sensitivity instead", '''
def specificity(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    tp, fn = np.sum((t == 1) & (p == 1)), np.sum((t == 1) & (p == 0))
    return tp / (tp + fn) if tp + fn else 0.0
''', "your value is the sensitivity"),
    Mutant("specificity", "false positive rate", '''
def specificity(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    tn, fp = np.sum((t == 0) & (p == 0)), np.sum((t == 0) & (p == 1))
    return fp / (tn + fp) if tn + fp else 0.0
''', "false positive rate"),
    Mutant("specificity", "no zero-division guard", '''
def specificity(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    tn, fp = np.sum((t == 0) & (p == 0)), np.sum((t == 0) & (p == 1))
    return tn / (tn + fp)
''', "zero denominator must give 0.0"),
    # precision
    Mutant("precision", "sensitivity instead (swapped)", '''
def precision(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    tp, fn = np.sum((t == 1) & (p == 1)), np.sum((t == 1) & (p == 0))
    return tp / (tp + fn) if tp + fn else 0.0
''', "precision and sensitivity are swapped"),
    Mutant("precision", "negative predictive value", '''
def precision(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    tn, fn = np.sum((t == 0) & (p == 0)), np.sum((t == 1) & (p == 0))
    return tn / (tn + fn) if tn + fn else 0.0
''', "negative predictive value"),
    Mutant("precision", "no zero-division guard", '''
def precision(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    tp, fp = np.sum((t == 1) & (p == 1)), np.sum((t == 0) & (p == 1))
    return tp / (tp + fp)
''', "zero denominator must give 0.0"),
    Mutant("precision", "returns 1.0 when nobody is called positive", '''
def precision(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    tp, fp = np.sum((t == 1) & (p == 1)), np.sum((t == 0) & (p == 1))
    return tp / (tp + fp) if tp + fp else 1.0
''', "a test that is never positive"),
    # f1_score
    Mutant("f1_score", "arithmetic mean of precision and recall", '''
def f1_score(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    tp, fp, fn = np.sum((t == 1) & (p == 1)), np.sum((t == 0) & (p == 1)), np.sum((t == 1) & (p == 0))
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    return (prec + rec) / 2
''', "arithmetic mean"),
    Mutant("f1_score", "geometric mean", '''
def f1_score(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    tp, fp, fn = np.sum((t == 1) & (p == 1)), np.sum((t == 0) & (p == 1)), np.sum((t == 1) & (p == 0))
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    return float(np.sqrt(prec * rec))
''', "geometric mean"),
    Mutant("f1_score", "harmonic mean without a guard (0/0)", '''
def f1_score(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    tp, fp, fn = np.sum((t == 1) & (p == 1)), np.sum((t == 0) & (p == 1)), np.sum((t == 1) & (p == 0))
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    return 2 * prec * rec / (prec + rec)
''', "F1 is 0.0 there"),
    Mutant("f1_score", "accuracy", '''
def f1_score(y_true, y_pred):
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))
''', "accuracy"),
    # roc_auc
    Mutant("roc_auc", "ties ignored", '''
def roc_auc(y_true, scores):
    y, s = np.asarray(y_true), np.asarray(scores, dtype=float)
    pos, neg = s[y == 1], s[y == 0]
    return float(np.mean(pos[:, None] > neg[None, :]))
''', "counts them one half"),
    Mutant("roc_auc", "ties counted fully", '''
def roc_auc(y_true, scores):
    y, s = np.asarray(y_true), np.asarray(scores, dtype=float)
    pos, neg = s[y == 1], s[y == 0]
    return float(np.mean(pos[:, None] >= neg[None, :]))
''', "tied pairs count 1"),
    Mutant("roc_auc", "computed from hard labels", '''
def roc_auc(y_true, scores):
    from sklearn.metrics import roc_auc_score
    return roc_auc_score(y_true, np.asarray(scores) >= 0.5)
''', "hard labels"),
    Mutant("roc_auc", "inverted (healthy above diseased)", '''
def roc_auc(y_true, scores):
    y, s = np.asarray(y_true), np.asarray(scores, dtype=float)
    pos, neg = s[y == 1], s[y == 0]
    return float(np.mean(neg[None, :] > pos[:, None]) + 0.5 * np.mean(neg[None, :] == pos[:, None]))
''', "1 - AUC"),
    Mutant("roc_auc", "trapezoid over sorted samples, ties not grouped", '''
def roc_auc(y_true, scores):
    y = np.asarray(y_true)
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
    tpr = np.concatenate([[0], np.cumsum(y[order] == 1) / np.sum(y == 1)])
    fpr = np.concatenate([[0], np.cumsum(y[order] == 0) / np.sum(y == 0)])
    return float(np.trapezoid(tpr, fpr))
''', "off by"),
    # patient_level_split
    Mutant("patient_level_split", "row-level split (leaks patients)", '''
def patient_level_split(df, patient_col, test_size, seed):
    test = df.sample(frac=test_size, random_state=seed)
    return df.drop(test.index), test
''', "you split the rows (visits), not the patients"),
    Mutant("patient_level_split", "scikit-learn train_test_split on rows", '''
def patient_level_split(df, patient_col, test_size, seed):
    from sklearn.model_selection import train_test_split
    return train_test_split(df, test_size=test_size, random_state=seed)
''', "you split the rows (visits), not the patients"),
    Mutant("patient_level_split", "one row per patient kept (drops rows)", '''
def patient_level_split(df, patient_col, test_size, seed):
    first = df.drop_duplicates(patient_col)
    ids = first[patient_col].to_numpy()
    rng = np.random.default_rng(seed)
    test_ids = rng.choice(ids, size=round(test_size * len(ids)), replace=False)
    return first[~first[patient_col].isin(test_ids)], first[first[patient_col].isin(test_ids)]
''', "rows of the input are missing from both sets"),
    Mutant("patient_level_split", "off-by-one slice loses a patient", '''
def patient_level_split(df, patient_col, test_size, seed):
    ids = np.random.default_rng(seed).permutation(df[patient_col].unique())
    n_test = round(test_size * len(ids))
    test_ids, train_ids = ids[:n_test], ids[n_test + 1:]
    return df[df[patient_col].isin(train_ids)], df[df[patient_col].isin(test_ids)]
''', "rows of the input are missing from both sets"),
    Mutant("patient_level_split", "train is the whole table (duplicates rows)", '''
def patient_level_split(df, patient_col, test_size, seed):
    ids = np.random.default_rng(seed).permutation(df[patient_col].unique())
    test_ids = ids[:round(test_size * len(ids))]
    return df, df[df[patient_col].isin(test_ids)]
''', "every row must be in exactly one"),
    Mutant("patient_level_split", "test_size used as the training share", '''
def patient_level_split(df, patient_col, test_size, seed):
    ids = np.random.default_rng(seed).permutation(df[patient_col].unique())
    train_ids = ids[:round(test_size * len(ids))]
    in_train = df[patient_col].isin(train_ids)
    return df[in_train], df[~in_train]
''', "train and test look swapped"),
    Mutant("patient_level_split", "patients drawn with replacement", '''
def patient_level_split(df, patient_col, test_size, seed):
    rng = np.random.default_rng(seed)
    patients = df[patient_col].unique()
    test_ids = rng.choice(patients, size=round(test_size * len(patients)))
    in_test = df[patient_col].isin(test_ids)
    return df[~in_test], df[in_test]
''', "with replacement"),
    Mutant("patient_level_split", "unseeded global random state", '''
def patient_level_split(df, patient_col, test_size, seed):
    ids = np.random.permutation(df[patient_col].unique())
    test_ids = ids[:round(test_size * len(ids))]
    in_test = df[patient_col].isin(test_ids)
    return df[~in_test], df[in_test]
''', "seeded with `seed`"),
    Mutant("patient_level_split", "seed ignored", '''
def patient_level_split(df, patient_col, test_size, seed):
    ids = np.random.default_rng(42).permutation(df[patient_col].unique())
    test_ids = ids[:round(test_size * len(ids))]
    in_test = df[patient_col].isin(test_ids)
    return df[~in_test], df[in_test]
''', "ignores the `seed` argument"),
    Mutant("patient_level_split", "test share counted in rows, not patients", '''
def patient_level_split(df, patient_col, test_size, seed):
    ids = np.random.default_rng(seed).permutation(df[patient_col].unique())
    n_test = round(test_size * len(df))
    test_ids = ids[:n_test]
    in_test = df[patient_col].isin(test_ids)
    return df[~in_test], df[in_test]
''', "times the number of *rows*"),
    # standardize
    Mutant("standardize", "statistics of all data", '''
def standardize(train_X, test_X):
    both = np.vstack([train_X, test_X])
    m, s = both.mean(0), both.std(0)
    s[s == 0] = 1
    return (train_X - m) / s, (test_X - m) / s
''', "training and test data together"),
    Mutant("standardize", "test set scaled with its own statistics", '''
def standardize(train_X, test_X):
    def z(X):
        s = X.std(0)
        return (X - X.mean(0)) / np.where(s == 0, 1, s)
    return z(train_X), z(test_X)
''', "test set's own mean and std"),
    Mutant("standardize", "both sets scaled with the test statistics", '''
def standardize(train_X, test_X):
    m, s = test_X.mean(0), test_X.std(0)
    s = np.where(s == 0, 1, s)
    return (train_X - m) / s, (test_X - m) / s
''', "must come from train_X"),
    Mutant("standardize", "sample standard deviation", '''
def standardize(train_X, test_X):
    m, s = train_X.mean(0), train_X.std(0, ddof=1)
    s = np.where(s == 0, 1, s)
    return (train_X - m) / s, (test_X - m) / s
''', "ddof=1"),
    Mutant("standardize", "zero std not handled", '''
def standardize(train_X, test_X):
    m, s = train_X.mean(0), train_X.std(0)
    return (train_X - m) / s, (test_X - m) / s
''', "std 0"),
    Mutant("standardize", "modifies its input in place", '''
def standardize(train_X, test_X):
    m, s = train_X.mean(0), train_X.std(0)
    s[s == 0] = 1
    train_X -= m
    train_X /= s
    return train_X, (test_X - m) / s
''', "modified its input `train_X`"),
    # sigmoid
    Mutant("sigmoid", "naive formula overflows", '''
def sigmoid(z):
    return 1 / (1 + np.exp(-z))
''', "np.exp overflowed"),
    Mutant("sigmoid", "np.where still evaluates the overflowing branch", '''
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
''', "evaluates both branches"),
    Mutant("sigmoid", "exp(z) / (1 + exp(z)) gives inf / inf", '''
def sigmoid(z):
    return np.exp(z) / (1 + np.exp(z))
''', "np.exp overflowed"),
    Mutant("sigmoid", "clips z to +-30", '''
def sigmoid(z):
    z = np.clip(z, -30, 30)
    return 1 / (1 + np.exp(-z))
''', "clipping z"),
    Mutant("sigmoid", "clips the probabilities", '''
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return np.clip(p, 1e-7, 1 - 1e-7)
''', "probabilities are clipped"),
    Mutant("sigmoid", "clips z to +-500 (the usual overflow recipe)", '''
def sigmoid(z):
    return 1 / (1 + np.exp(-np.clip(z, -500, 500)))
''', "clipping z"),
    Mutant("sigmoid", "math.exp (scalars only)", '''
import math
def sigmoid(z):
    return 1 / (1 + math.exp(-z))
''', "TypeError"),
    # logistic_loss
    Mutant("logistic_loss", "sum instead of mean", '''
def logistic_loss(w, b, X, y):
    z = X @ w + b
    return float(np.sum(np.logaddexp(0, z) - y * z))
''', "sum over patients"),
    Mutant("logistic_loss", "missing minus sign", '''
def logistic_loss(w, b, X, y):
    z = X @ w + b
    return float(-np.mean(np.logaddexp(0, z) - y * z))
''', "wrong sign"),
    Mutant("logistic_loss", "log of a sigmoid that rounds to 1", '''
def logistic_loss(w, b, X, y):
    z = X @ w + b
    e = np.exp(-np.abs(z))
    p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
''', "np.logaddexp"),
    Mutant("logistic_loss", "clipped probabilities", '''
def logistic_loss(w, b, X, y):
    p = 1 / (1 + np.exp(-np.clip(X @ w + b, -500, 500)))
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
''', "capped"),
    Mutant("logistic_loss", "bias forgotten", '''
def logistic_loss(w, b, X, y):
    z = X @ w
    return float(np.mean(np.logaddexp(0, z) - y * z))
''', "ignores the bias"),
    Mutant("logistic_loss", "labels swapped", '''
def logistic_loss(w, b, X, y):
    z = X @ w + b
    return float(np.mean(np.logaddexp(0, z) - (1 - y) * z))
''', "rewards the wrong class"),
    # logistic_gradient
    Mutant("logistic_gradient", "no 1/n", '''
def logistic_gradient(w, b, X, y):
    p = 1 / (1 + np.exp(-(X @ w + b)))
    return X.T @ (p - y), float(np.sum(p - y))
''', "n times too large"),
    Mutant("logistic_gradient", "wrong sign", '''
def logistic_gradient(w, b, X, y):
    p = 1 / (1 + np.exp(-(X @ w + b)))
    return X.T @ (y - p) / len(y), float(np.mean(y - p))
''', "wrong sign"),
    Mutant("logistic_gradient", "bias gradient forgotten", '''
def logistic_gradient(w, b, X, y):
    p = 1 / (1 + np.exp(-(X @ w + b)))
    return X.T @ (p - y) / len(y), 0.0
''', "your db is 0"),
    Mutant("logistic_gradient", "no sigmoid (linear-regression gradient)", '''
def logistic_gradient(w, b, X, y):
    r = X @ w + b - y
    return X.T @ r / len(y), float(np.mean(r))
''', "gradient of the squared error"),
    Mutant("logistic_gradient", "X instead of X.T", '''
def logistic_gradient(w, b, X, y):
    p = 1 / (1 + np.exp(-(X @ w + b)))
    return X @ (p - y) / len(y), float(np.mean(p - y))
''', "ValueError"),
    # fit_logistic_regression
    Mutant("fit_logistic_regression", "gradient ascent", '''
def fit_logistic_regression(X, y, lr, n_iter):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(n_iter):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        w = w + lr * X.T @ (p - y) / len(y)
        b = b + lr * np.mean(p - y)
    return w, b
''', "move uphill"),
    Mutant("fit_logistic_regression", "gradient without 1/n", '''
def fit_logistic_regression(X, y, lr, n_iter):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(n_iter):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        w = w - lr * X.T @ (p - y)
        b = b - lr * np.sum(p - y)
    return w, b
''', "n times too large"),
    Mutant("fit_logistic_regression", "bias never updated", '''
def fit_logistic_regression(X, y, lr, n_iter):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(n_iter):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        w = w - lr * X.T @ (p - y) / len(y)
    return w, b
''', "bias stays 0"),
    Mutant("fit_logistic_regression", "one step too many", '''
def fit_logistic_regression(X, y, lr, n_iter):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(n_iter + 1):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        w, b = w - lr * X.T @ (p - y) / len(y), b - lr * np.mean(p - y)
    return w, b
''', "one step more"),
    Mutant("fit_logistic_regression", "one step too few", '''
def fit_logistic_regression(X, y, lr, n_iter):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(1, n_iter):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        w, b = w - lr * X.T @ (p - y) / len(y), b - lr * np.mean(p - y)
    return w, b
''', "one step short"),
    Mutant("fit_logistic_regression", "db computed with the updated w", '''
def fit_logistic_regression(X, y, lr, n_iter):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(n_iter):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        w = w - lr * X.T @ (p - y) / len(y)
        p = 1 / (1 + np.exp(-(X @ w + b)))
        b = b - lr * np.mean(p - y)
    return w, b
''', "db used the new w"),
    Mutant("fit_logistic_regression", "random initial weights", '''
def fit_logistic_regression(X, y, lr, n_iter):
    w, b = np.random.normal(size=X.shape[1]), 0.0
    for _ in range(n_iter):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        w, b = w - lr * X.T @ (p - y) / len(y), b - lr * np.mean(p - y)
    return w, b
''', "zero steps"),
    # build_classifier
    Mutant("build_classifier", "logistic regression without scaling", '''
def build_classifier():
    from sklearn.linear_model import LogisticRegression
    return LogisticRegression()
''', "without feature scaling"),
    Mutant("build_classifier", "k-NN without scaling", '''
def build_classifier():
    from sklearn.neighbors import KNeighborsClassifier
    return KNeighborsClassifier()
''', "without feature scaling"),
    Mutant("build_classifier", "always the majority class", '''
def build_classifier():
    from sklearn.dummy import DummyClassifier
    return DummyClassifier()
''', "majority class"),
    Mutant("build_classifier", "returns the class, not an instance", '''
def build_classifier():
    from sklearn.linear_model import LogisticRegression
    return LogisticRegression
''', "add () to return an instance"),
    Mutant("build_classifier", "returns cross-validation scores instead of a model", '''
def build_classifier():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    X = load_breast_cancer().drop(columns="malignant").to_numpy()
    y = load_breast_cancer()["malignant"].to_numpy()
    return cross_val_score(make_pipeline(StandardScaler(), LogisticRegression()), X, y, cv=10)
''', "should return an unfitted scikit-learn estimator"),
    Mutant("build_classifier", "a single shallow tree", '''
def build_classifier():
    from sklearn.tree import DecisionTreeClassifier
    return DecisionTreeClassifier(max_depth=1)
''', "below the pass mark"),
    # kmeans
    Mutant("kmeans", "labels never reassigned", '''
def kmeans(X, k, n_iter, init):
    centroids = init.astype(float).copy()
    labels = np.argmin(((X[:, None] - centroids[None]) ** 2).sum(-1), axis=1)
    for _ in range(n_iter):
        for j in range(k):
            if np.any(labels == j):
                centroids[j] = X[labels == j].mean(0)
    return centroids, labels
''', "never change after the first assignment"),
    Mutant("kmeans", "centroids never updated", '''
def kmeans(X, k, n_iter, init):
    centroids = init.astype(float).copy()
    for _ in range(n_iter):
        labels = np.argmin(((X[:, None] - centroids[None]) ** 2).sum(-1), axis=1)
    return centroids, np.argmin(((X[:, None] - centroids[None]) ** 2).sum(-1), axis=1)
''', "centroids never move"),
    Mutant("kmeans", "empty cluster becomes NaN", '''
def kmeans(X, k, n_iter, init):
    centroids = init.astype(float).copy()
    for _ in range(n_iter):
        labels = np.argmin(((X[:, None] - centroids[None]) ** 2).sum(-1), axis=1)
        centroids = np.array([X[labels == j].mean(0) for j in range(k)])
    return centroids, np.argmin(((X[:, None] - centroids[None]) ** 2).sum(-1), axis=1)
''', "(the mean of nothing)"),
    Mutant("kmeans", "labels from before the last update", '''
def kmeans(X, k, n_iter, init):
    centroids = init.astype(float).copy()
    labels = np.argmin(((X[:, None] - centroids[None]) ** 2).sum(-1), axis=1)
    for _ in range(n_iter):
        labels = np.argmin(((X[:, None] - centroids[None]) ** 2).sum(-1), axis=1)
        for j in range(k):
            if np.any(labels == j):
                centroids[j] = X[labels == j].mean(0)
    return centroids, labels
''', "before the final centroid update"),
    Mutant("kmeans", "Manhattan distance", '''
def kmeans(X, k, n_iter, init):
    centroids = init.astype(float).copy()
    near = lambda c: np.argmin(np.abs(X[:, None] - c[None]).sum(-1), axis=1)
    for _ in range(n_iter):
        labels = near(centroids)
        for j in range(k):
            if np.any(labels == j):
                centroids[j] = X[labels == j].mean(0)
    return centroids, near(centroids)
''', "Manhattan"),
    Mutant("kmeans", "updates init in place", '''
def kmeans(X, k, n_iter, init):
    centroids = init
    near = lambda c: np.argmin(((X[:, None] - c[None]) ** 2).sum(-1), axis=1)
    for _ in range(n_iter):
        labels = near(centroids)
        for j in range(k):
            if np.any(labels == j):
                centroids[j] = X[labels == j].mean(0)
    return centroids, near(centroids)
''', "modified its input `init`"),
]

ALTERNATIVES = [
    Alternative("confusion_counts", "pure Python loop", '''
def confusion_counts(y_true, y_pred):
    counts = {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
    for t, p in zip(y_true, y_pred):
        key = ("t" if bool(t) == bool(p) else "f") + ("p" if p else "n")
        counts[key] += 1
    return counts
'''),
    Alternative("confusion_counts", "scikit-learn confusion_matrix", '''
def confusion_counts(y_true, y_pred):
    from sklearn.metrics import confusion_matrix
    tn, fp, fn, tp = confusion_matrix(np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int),
                                      labels=[0, 1]).ravel()
    return {"tp": int(tp), "fp": int(fp), "tn": int(tn), "fn": int(fn)}
'''),
    Alternative("sensitivity", "scikit-learn recall_score", '''
def sensitivity(y_true, y_pred):
    from sklearn.metrics import recall_score
    return recall_score(np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int),
                        labels=[0, 1], zero_division=0)
'''),
    Alternative("sensitivity", "mean of the predictions among the diseased", '''
def sensitivity(y_true, y_pred):
    t, p = np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)
    return float(p[t == 1].mean()) if np.any(t == 1) else 0.0
'''),
    Alternative("specificity", "scikit-learn recall of class 0", '''
def specificity(y_true, y_pred):
    from sklearn.metrics import recall_score
    return recall_score(np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int),
                        pos_label=0, labels=[0, 1], zero_division=0)
'''),
    Alternative("precision", "scikit-learn precision_score", '''
def precision(y_true, y_pred):
    from sklearn.metrics import precision_score
    return precision_score(np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int),
                           labels=[0, 1], zero_division=0)
'''),
    Alternative("f1_score", "harmonic mean with guards", '''
def f1_score(y_true, y_pred):
    t, p = np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)
    tp = np.sum(t & p)
    prec = tp / p.sum() if p.sum() else 0.0
    rec = tp / t.sum() if t.sum() else 0.0
    return 2 * prec * rec / (prec + rec) if prec + rec else 0.0
'''),
    Alternative("f1_score", "scikit-learn f1_score", '''
def f1_score(y_true, y_pred):
    from sklearn import metrics
    return metrics.f1_score(np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int),
                            labels=[0, 1], zero_division=0)
'''),
    Alternative("roc_auc", "ranks (Mann-Whitney U)", '''
def roc_auc(y_true, scores):
    from scipy.stats import rankdata
    y = np.asarray(y_true)
    ranks = rankdata(scores)
    n_pos, n_neg = np.sum(y == 1), np.sum(y == 0)
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
'''),
    Alternative("roc_auc", "scikit-learn roc_auc_score", '''
def roc_auc(y_true, scores):
    from sklearn.metrics import roc_auc_score
    return roc_auc_score(y_true, scores)
'''),
    Alternative("roc_auc", "trapezoid over distinct thresholds", '''
def roc_auc(y_true, scores):
    y, s = np.asarray(y_true), np.asarray(scores, dtype=float)
    tpr, fpr = [0.0], [0.0]
    for t in np.unique(s)[::-1]:
        tpr.append(np.mean(s[y == 1] >= t))
        fpr.append(np.mean(s[y == 0] >= t))
    return float(np.trapezoid(tpr, fpr))
'''),
    Alternative("patient_level_split", "scikit-learn GroupShuffleSplit", '''
def patient_level_split(df, patient_col, test_size, seed):
    from sklearn.model_selection import GroupShuffleSplit
    splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
    train_idx, test_idx = next(splitter.split(df, groups=df[patient_col]))
    return df.iloc[train_idx], df.iloc[test_idx]
'''),
    Alternative("patient_level_split", "shuffled ids, reset index", '''
def patient_level_split(df, patient_col, test_size, seed):
    ids = df[patient_col].drop_duplicates().to_numpy().copy()
    np.random.default_rng(seed).shuffle(ids)
    test_ids = set(ids[:int(np.ceil(test_size * len(ids)))])
    mask = df[patient_col].map(lambda p: p in test_ids).to_numpy()
    return df[~mask].reset_index(drop=True), df[mask].reset_index(drop=True)
'''),
    Alternative("standardize", "scikit-learn StandardScaler", '''
def standardize(train_X, test_X):
    from sklearn.preprocessing import StandardScaler
    scaler = StandardScaler().fit(train_X)
    return scaler.transform(train_X), scaler.transform(test_X)
'''),
    Alternative("sigmoid", "scipy.special.expit", '''
def sigmoid(z):
    from scipy.special import expit
    return expit(z)
'''),
    Alternative("sigmoid", "boolean masks", '''
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    e = np.exp(z[~pos])
    out[~pos] = e / (1 + e)
    return out
'''),
    Alternative("sigmoid", "exp of minus log1p", '''
def sigmoid(z):
    return np.exp(-np.logaddexp(0, -np.asarray(z, dtype=float)))
'''),
    Alternative("logistic_loss", "softplus written out stably", '''
def logistic_loss(w, b, X, y):
    z = X @ w + b
    softplus = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
    return float(np.mean(softplus - y * z))
'''),
    Alternative("logistic_loss", "log-sigmoid terms with logaddexp", '''
def logistic_loss(w, b, X, y):
    z = X @ w + b
    log_p = -np.logaddexp(0, -z)       # log sigmoid(z)
    log_q = -np.logaddexp(0, z)        # log (1 - sigmoid(z))
    return float(-np.mean(y * log_p + (1 - y) * log_q))
'''),
    Alternative("logistic_gradient", "loop over patients", '''
def logistic_gradient(w, b, X, y):
    dw, db = np.zeros_like(w, dtype=float), 0.0
    for x_i, y_i in zip(X, y):
        z = x_i @ w + b
        p = 1 / (1 + np.exp(-z)) if z >= 0 else np.exp(z) / (1 + np.exp(z))
        dw += (p - y_i) * x_i
        db += p - y_i
    return dw / len(y), db / len(y)
'''),
    Alternative("logistic_gradient", "scipy expit and einsum", '''
def logistic_gradient(w, b, X, y):
    from scipy.special import expit
    r = expit(X @ w + b) - y
    return np.einsum("ij,i->j", X, r) / len(y), r.mean()
'''),
    Alternative("fit_logistic_regression", "parameters stacked with a column of ones", '''
def fit_logistic_regression(X, y, lr, n_iter):
    from scipy.special import expit
    Xb = np.column_stack([X, np.ones(len(X))])
    theta = np.zeros(Xb.shape[1])
    for _ in range(n_iter):
        theta -= lr * Xb.T @ (expit(Xb @ theta) - y) / len(y)
    return theta[:-1], theta[-1]
'''),
    Alternative("build_classifier", "scaled support vector machine", '''
def build_classifier():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC
    return make_pipeline(StandardScaler(), SVC())
'''),
    Alternative("build_classifier", "Pipeline with a tuned C", '''
def build_classifier():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    return Pipeline([("scale", StandardScaler()), ("model", LogisticRegression(C=0.3))])
'''),
    Alternative("kmeans", "loops over points", '''
def kmeans(X, k, n_iter, init):
    centroids = np.array(init, dtype=float)
    def assign(c):
        return np.array([int(np.argmin([np.sum((x - m) ** 2) for m in c])) for x in X])
    for _ in range(n_iter):
        labels = assign(centroids)
        for j in range(k):
            members = [x for x, l in zip(X, labels) if l == j]
            if members:
                centroids[j] = np.mean(members, axis=0)
    return centroids, assign(centroids)
'''),
    Alternative("kmeans", "scipy cdist with early stop", '''
def kmeans(X, k, n_iter, init):
    from scipy.spatial.distance import cdist
    centroids = np.array(init, dtype=float)
    labels = cdist(X, centroids, "sqeuclidean").argmin(axis=1)
    for _ in range(n_iter):
        new = np.array([X[labels == j].mean(0) if np.any(labels == j) else centroids[j]
                        for j in range(k)])
        new_labels = cdist(X, new, "sqeuclidean").argmin(axis=1)
        if np.array_equal(new, centroids):
            break
        centroids, labels = new, new_labels
    return centroids, labels
'''),
]
