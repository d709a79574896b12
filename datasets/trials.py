"""Real clinical-trial tables that ship inside installed packages, read at run time."""

from __future__ import annotations

import pandas as pd


def load_actg175() -> pd.DataFrame:
    """The ACTG 175 trial (Hammer et al., NEJM 1996) as shipped with lifelines (MIT licence).

    2,139 adults with HIV randomised to four antiretroviral regimens (``arms`` 0-3: zidovudine;
    zidovudine + didanosine; zidovudine + zalcitabine; didanosine). One row per patient, the 27
    columns of lifelines' ``ACTG175.csv`` (read from the installed package, never copied), with
    ``pidnum`` as a column. ``race`` 0 = white, 1 = non-white; ``gender`` 0 = female, 1 = male;
    ``cens`` 1 = the primary event (CD4 decline >= 50 %, AIDS-defining event or death) observed;
    ``days`` = days to that event or censoring. ``cd496`` has missing values (NaN).
    """
    from importlib import resources

    path = resources.files("lifelines") / "datasets" / "ACTG175.csv"
    with resources.as_file(path) as file:
        frame = pd.read_csv(file, index_col=0)
    return frame.reset_index(drop=True)
