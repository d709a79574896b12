"""Chapter 00_welcome: mistakes seen in warm-up exercises, and other correct ways."""

from tests.mutants import Alternative, Mutant

CHAPTER = "00_welcome"

MUTANTS = [
    # malignancy_prevalence
    Mutant("malignancy_prevalence", "scikit-learn's coding (0 = malignant)", '''
def malignancy_prevalence(labels):
    return float(np.mean(np.asarray(labels) == 0))
''', "benign"),
    Mutant("malignancy_prevalence", "count instead of proportion", '''
def malignancy_prevalence(labels):
    return np.sum(labels)
''', "number of malignant cases"),
    Mutant("malignancy_prevalence", "percentage", '''
def malignancy_prevalence(labels):
    return 100 * np.mean(labels)
''', "percentage"),
    Mutant("malignancy_prevalence", "floor division", '''
def malignancy_prevalence(labels):
    return sum(labels) // len(labels)
''', "integer division"),
    Mutant("malignancy_prevalence", "odds instead of prevalence", '''
def malignancy_prevalence(labels):
    labels = np.asarray(labels)
    return (labels == 1).sum() / (labels == 0).sum()
''', "odds"),
    Mutant("malignancy_prevalence", "assumes an ndarray (fails on a list)", '''
def malignancy_prevalence(labels):
    return labels.mean()
''', "AttributeError"),
    # mean_by_diagnosis
    Mutant("mean_by_diagnosis", "rows swapped", '''
def mean_by_diagnosis(X, y):
    return np.vstack([X[y == 1].mean(axis=0), X[y == 0].mean(axis=0)])
''', "swapped"),
    Mutant("mean_by_diagnosis", "overall mean in both rows", '''
def mean_by_diagnosis(X, y):
    m = X.mean(axis=0)
    return np.vstack([m, m])
''', "mean over all patients"),
    Mutant("mean_by_diagnosis", "medians", '''
def mean_by_diagnosis(X, y):
    return np.vstack([np.median(X[y == 0], axis=0), np.median(X[y == 1], axis=0)])
''', "medians"),
    Mutant("mean_by_diagnosis", "means as columns", '''
def mean_by_diagnosis(X, y):
    return np.column_stack([X[y == 0].mean(axis=0), X[y == 1].mean(axis=0)])
''', "as columns"),
    Mutant("mean_by_diagnosis", "mean over the wrong axis", '''
def mean_by_diagnosis(X, y):
    return np.vstack([X[y == 0].mean(axis=1).mean(), X[y == 1].mean(axis=1).mean()])
''', "wrong shape"),
    # standardize_with_training_stats
    Mutant("standardize_with_training_stats", "test set scaled with its own statistics", '''
def standardize_with_training_stats(X_train, X_test):
    scale = lambda X: (X - X.mean(0)) / np.where(X.std(0) == 0, 1, X.std(0))
    return scale(X_train), scale(X_test)
''', "test set's own mean"),
    Mutant("standardize_with_training_stats", "statistics of all data", '''
def standardize_with_training_stats(X_train, X_test):
    X = np.concatenate([X_train, X_test])
    s = X.std(0)
    s[s == 0] = 1
    return (X_train - X.mean(0)) / s, (X_test - X.mean(0)) / s
''', "training and test data together"),
    Mutant("standardize_with_training_stats", "sample standard deviation", '''
def standardize_with_training_stats(X_train, X_test):
    m, s = X_train.mean(0), X_train.std(0, ddof=1)
    s[s == 0] = 1
    return (X_train - m) / s, (X_test - m) / s
''', "ddof=1"),
    Mutant("standardize_with_training_stats", "no centering", '''
def standardize_with_training_stats(X_train, X_test):
    s = X_train.std(0)
    s[s == 0] = 1
    return X_train / s, X_test / s
''', "did not subtract the mean"),
    Mutant("standardize_with_training_stats", "one mean for the whole array", '''
def standardize_with_training_stats(X_train, X_test):
    return (X_train - X_train.mean()) / X_train.std(), (X_test - X_train.mean()) / X_train.std()
''', "axis=0"),
    Mutant("standardize_with_training_stats", "constant column divides by zero", '''
def standardize_with_training_stats(X_train, X_test):
    m, s = X_train.mean(0), X_train.std(0)
    return (X_train - m) / s, (X_test - m) / s
''', "standard deviation 0"),
    Mutant("standardize_with_training_stats", "modifies its input in place", '''
def standardize_with_training_stats(X_train, X_test):
    m, s = X_train.mean(0), X_train.std(0)
    s[s == 0] = 1
    X_train -= m
    X_train /= s
    return X_train, (X_test - m) / s
''', "modified its input `X_train`"),
]

ALTERNATIVES = [
    Alternative("malignancy_prevalence", "pure Python loop", '''
def malignancy_prevalence(labels):
    count = 0
    total = 0
    for label in labels:
        total += 1
        if label == 1:
            count += 1
    return count / total
'''),
    Alternative("malignancy_prevalence", "pandas", '''
def malignancy_prevalence(labels):
    return pd.Series(labels).eq(1).mean()
'''),
    Alternative("mean_by_diagnosis", "pandas groupby", '''
def mean_by_diagnosis(X, y):
    return pd.DataFrame(X).groupby(np.asarray(y)).mean().sort_index().to_numpy()
'''),
    Alternative("mean_by_diagnosis", "loops over rows", '''
def mean_by_diagnosis(X, y):
    sums = np.zeros((2, X.shape[1]))
    counts = np.zeros(2)
    for row, label in zip(X, y):
        sums[label] += row
        counts[label] += 1
    return sums / counts[:, None]
'''),
    Alternative("standardize_with_training_stats", "scikit-learn StandardScaler", '''
def standardize_with_training_stats(X_train, X_test):
    from sklearn.preprocessing import StandardScaler
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test)
'''),
    Alternative("standardize_with_training_stats", "explicit formula with keepdims", '''
def standardize_with_training_stats(X_train, X_test):
    mu = X_train.mean(axis=0, keepdims=True)
    sigma = np.sqrt(((X_train - mu) ** 2).mean(axis=0, keepdims=True))
    sigma[sigma == 0] = 1.0
    return (X_train - mu) / sigma, (X_test - mu) / sigma
'''),
]
