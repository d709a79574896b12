"""Chapter 06_ethics, de-identifying DICOM headers: cases are pydicom's own test files plus plain
edits; ``invoke`` builds the Dataset and returns a plain summary of what the learner's copy holds."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from ...compare import PASS, Verdict, type_name
from ...registry import Case, Exercise, Mistake, WrongOutput, reference
from .common import CHAPTER

REMOVED = ("PatientBirthDate", "PatientAddress", "ReferringPhysicianName", "InstitutionName",
           "InstitutionAddress", "OtherPatientIDs", "OtherPatientIDsSequence")
_REPLACED = ("PatientName", "PatientID")


def load_case_dataset(file_name: str, edits: dict):
    """One of pydicom's shipped test files with ``edits`` applied: ``set`` (keyword -> value),
    ``delete`` (keywords), ``other_ids_sequence`` (add an OtherPatientIDsSequence) and
    ``private_in`` (a path of sequence keywords, each followed by an item index, that receives a
    private block, e.g. ["BeamSequence", 0, "ControlPointSequence", 0])."""
    import pydicom
    from pydicom.data import get_testdata_file
    from pydicom.dataset import Dataset

    path = get_testdata_file(file_name, download=False)
    if path is None:
        raise FileNotFoundError(f"pydicom does not ship the test file {file_name!r}")
    ds = pydicom.dcmread(path)
    for keyword, value in edits.get("set", {}).items():
        setattr(ds, keyword, value)
    for keyword in edits.get("delete", []):
        if keyword in ds:
            delattr(ds, keyword)
    if edits.get("other_ids_sequence"):
        item = Dataset()
        item.PatientID = "OLD-ID-123"
        item.IssuerOfPatientID = "General Hospital"
        ds.OtherPatientIDsSequence = [item]
    if "private_in" in edits:
        target, trail = ds, list(edits["private_in"])
        while trail:
            keyword, index = trail.pop(0), trail.pop(0)
            target = getattr(target, keyword)[index]
            block = target.private_block(0x0029, "MEDAI COURSE", create=True)
            block.add_new(0x10, "LO", f"scanner site secret at depth {len(trail) // 2}")
    return ds


def _elements(ds, prefix=""):
    """(path, element) for every element at every depth."""
    for element in ds:
        path = f"{prefix}{element.tag}"
        yield path, element
        if element.VR == "SQ" and element.value is not None:
            for i, item in enumerate(element.value):
                yield from _elements(item, f"{path}[{i}].")


def _fingerprint(ds) -> list[str]:
    out = []
    for path, element in _elements(ds):
        if element.VR == "SQ":
            out.append(f"{path} SQ {len(element.value or [])}")
        elif element.keyword == "PixelData" or len(repr(element.value)) > 200:
            out.append(f"{path} {hashlib.sha256(repr(element.value).encode()).hexdigest()}")
        else:
            out.append(f"{path} {element.value!r}")
    return out


def summarise(out, ds, before: list[str]) -> dict:
    """What the learner's de-identified copy holds, as plain data."""
    from pydicom.dataset import Dataset

    if not isinstance(out, Dataset):
        raise WrongOutput(f"deidentify_dicom should return a pydicom Dataset; got {type_name(out)}")
    private = [p for p, e in _elements(out) if e.tag.is_private]
    kept = [p for p, e in _elements(out) if not e.tag.is_private
            and not (p.count(".") == 0 and e.keyword in REMOVED + _REPLACED)
            and e.keyword != "PixelData"]
    values = [line for line in _fingerprint(out) if line.split(" ")[0] in set(kept)]
    pixels = out.get("PixelData", None)
    return {
        "input_unchanged": _fingerprint(ds) == before,
        "patient_name": str(out.PatientName) if "PatientName" in out else None,
        "patient_id": str(out.PatientID) if "PatientID" in out else None,
        "identifiers_left": sorted(k for k in REMOVED if k in out),
        "private_tags": len(private),
        "private_tags_in_sequences": sum("." in p for p in private),
        "kept_elements": kept,
        "kept_values_sha256": hashlib.sha256("\n".join(values).encode()).hexdigest(),
        "pixel_data_sha256": (hashlib.sha256(bytes(pixels)).hexdigest()
                              if pixels is not None else None),
    }


def _invoke(fn, file_name: str, edits: dict) -> dict:
    ds = load_case_dataset(file_name, edits)
    before = _fingerprint(ds)
    return summarise(fn(ds), ds, before)


_ORDER = ("input_unchanged", "patient_name", "patient_id", "identifiers_left", "private_tags",
          "private_tags_in_sequences", "pixel_data_sha256", "kept_elements", "kept_values_sha256")


def _compare(got: Any, expected: Any) -> Verdict:
    """Field by field, so that a learner's summary can also be matched against a mistake's."""
    if not isinstance(got, dict) or set(got) != set(expected):
        return Verdict(False, "your output is not a de-identified pydicom Dataset")
    for key in _ORDER:
        if got[key] != expected[key]:
            return _difference(key, got, expected)
    return PASS


def _difference(key: str, got: dict, expected: dict) -> Verdict:
    if key == "input_unchanged":
        return Verdict(False, "your function changed the dataset `ds` it was given"
                       if not got[key] else "the input was expected to change")
    if key in ("patient_name", "patient_id"):
        what = "PatientName" if key == "patient_name" else "PatientID"
        shown = "absent" if got[key] is None else repr(got[key])
        return Verdict(False, f"{what} in your copy is {shown}; expected {expected[key]!r}")
    if key == "identifiers_left":
        return Verdict(False, "your copy holds identifying elements at the top level: "
                              + (", ".join(got[key]) or "none"))
    if key.startswith("private_tags"):
        return Verdict(False, f"your copy holds {got['private_tags']} private tag(s), "
                              f"{got['private_tags_in_sequences']} of them inside sequences")
    if key == "pixel_data_sha256":
        if got[key] is None:
            return Verdict(False, "your copy has no pixel data: the image must be kept")
        return Verdict(False, "your copy's pixel data differs from the original's")
    if key == "kept_elements":
        lost = [p for p in expected[key] if p not in got[key]]
        extra = [p for p in got[key] if p not in expected[key]]
        return Verdict(False, f"your copy lost {len(lost)} element(s) that must be kept and has "
                              f"{len(extra)} unexpected one(s)",
                       f"your copy lost {lost[:5]} and has unexpected {extra[:5]}")
    return Verdict(False, "your copy changed the value of elements that must be kept")


def _public(rng):
    yield Case(("CT_small.dcm", {}),
               label="pydicom's CT_small.dcm: 179 private tags, OtherPatientIDsSequence, pixels")
    yield Case(("rtplan.dcm", {"delete": ["PatientID", "PatientName"],
                               "set": {"PatientAddress": "1 Main St"},
                               "private_in": ["BeamSequence", 0, "ControlPointSequence", 0]}),
               label="rtplan.dcm without PatientName and PatientID, private tags two sequences "
                     "deep")
    yield Case(("liver_1frame.dcm", {"set": {"InstitutionAddress": "2 Hospital Rd",
                                             "OtherPatientIDs": "LIV-9"},
                                     "other_ids_sequence": True,
                                     "private_in": ["SharedFunctionalGroupsSequence", 0]}),
               label="liver_1frame.dcm (a segmentation with pixels), private tags in a sequence")


def _hidden(rng):
    yield Case(("MR_small.dcm", {"delete": ["PatientID", "PatientName"]}),
               label="MR_small.dcm without PatientName and PatientID")
    yield Case(("waveform_ecg.dcm", {"private_in": ["WaveformSequence", 1]}),
               label="a 12-lead ECG with private tags in its waveform sequence")
    yield Case(("test-SR.dcm", {"other_ids_sequence": True,
                                "private_in": ["ContentSequence", 0]}),
               label="a structured report, private tags in its content")
    yield Case(("CT_small.dcm", {"delete": ["PatientID"],
                                 "private_in": ["OtherPatientIDsSequence", 0]}),
               label="CT_small.dcm without PatientID")


def _no_copy(ds):
    deidentified = reference(CHAPTER, "deidentify_dicom")(ds)
    ds.clear()
    ds.update(deidentified)
    return ds


def _top_private_only(ds):
    out = reference(CHAPTER, "deidentify_dicom")(ds)
    _restore_nested_private(out, ds)
    return out


def _restore_nested_private(out, original):
    for element in original:
        if element.VR == "SQ" and not element.tag.is_private and element.tag in out:
            for item_out, item_in in zip(out[element.tag].value, element.value):
                for sub in item_in:
                    if sub.tag.is_private:
                        item_out.add(copy.deepcopy(sub))
                _restore_nested_private(item_out, item_in)


def _no_pixels(ds):
    out = reference(CHAPTER, "deidentify_dicom")(ds)
    if "PixelData" in out:
        del out.PixelData
    return out


def _id_not_added(ds):
    out = reference(CHAPTER, "deidentify_dicom")(ds)
    if "PatientID" not in ds:
        del out.PatientID
    return out


def _blanked(ds):
    out = reference(CHAPTER, "deidentify_dicom")(ds)
    for keyword in REMOVED[:-1]:
        if keyword in ds:
            setattr(out, keyword, "")
    return out


def _sequence_left(ds):
    out = reference(CHAPTER, "deidentify_dicom")(ds)
    if "OtherPatientIDsSequence" in ds:
        out.OtherPatientIDsSequence = copy.deepcopy(ds.OtherPatientIDsSequence)
        out.OtherPatientIDsSequence.parent = out
    return out


DEIDENTIFY_DICOM = Exercise(
    name="deidentify_dicom",
    points=2,
    public_cases=_public,
    hidden_cases=_hidden,
    compare=_compare,
    invoke=_invoke,
    time_limit=10.0,
    mistakes=[
        Mistake("input modified", _no_copy,
                "you changed the dataset you were given, whose owner keeps the identified "
                "original (to archive, or to link back). Work on copy.deepcopy(ds): a shallow "
                "copy (copy.copy) still shares its sequences with the original."),
        Mistake("private tags in sequences left", _top_private_only,
                "private tags inside sequences were left: a loop over `ds` sees only the top "
                "level; Dataset.walk (or remove_private_tags, which walks) visits every item of "
                "every sequence."),
        Mistake("pixel data dropped", _no_pixels,
                "the pixel data was dropped: de-identifying the header must keep the image."),
        Mistake("PatientID not added", _id_not_added,
                "PatientID was only replaced when present; set it to 'ANON' in every case, so "
                "that downstream software that expects it still works."),
        Mistake("identifiers blanked", _blanked,
                "identifying elements were emptied but kept; remove them (del copy.Keyword), "
                "so that no empty trace of them remains."),
        Mistake("OtherPatientIDsSequence left", _sequence_left,
                "OtherPatientIDsSequence was kept: it holds the patient's other identifiers, "
                "inside its items."),
    ],
)
