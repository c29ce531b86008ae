"""A tiny ESCO in the real files' layout, built in the test (never the multi-MB zips)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

OCC = "http://data.europa.eu/esco/occupation/"
SKILL = "http://data.europa.eu/esco/skill/"

ISCO = [
    ("2", "Professionals"), ("22", "Health professionals"),
    ("221", "Medical doctors"), ("2211", "Generalist medical practitioners"),
    ("222", "Nursing and midwifery professionals"), ("2221", "Nursing professionals"),
    ("2222", "Midwifery professionals"), ("23", "Teaching professionals"),
    ("231", "University and higher education teachers"), ("2310", "University teachers"),
    ("5", "Service and sales workers"), ("53", "Personal care workers"),
    ("532", "Personal care workers in health services"), ("5321", "Health care assistants"),
]  # fmt: skip
OCCUPATIONS = [
    ("nurse", "2221", "2221.1", "nurse responsible for general care", "general nurse\nregistered nurse"),
    ("specialist-nurse", "2221", "2221.2", "specialist nurse", "clinical nurse specialist"),
    ("midwife", "2222", "2222.1", "midwife", "birth attendant"),
    ("doctor", "2211", "2211.1", "general practitioner", "family doctor\nGP"),
    ("lecturer", "2310", "2310.1", "university lecturer", "lecturer"),
    ("care-assistant", "5321", "5321.1", "healthcare assistant", "nursing assistant"),
]  # fmt: skip
SKILLS = [
    ("wound", "manage wounds", "treat wounds"),
    ("drugs", "administer medication", "give medicines"),
    ("triage", "triage patients", ""),
    ("infection", "apply infection control", "prevent infection"),
    ("teach", "teach in academic context", "lecture"),
    ("birth", "assist in childbirth", "deliver babies"),
]
RELATIONS = [
    ("nurse", "wound", "essential"), ("nurse", "drugs", "essential"),
    ("nurse", "infection", "essential"), ("nurse", "triage", "optional"),
    ("specialist-nurse", "drugs", "essential"), ("midwife", "birth", "essential"),
    ("midwife", "infection", "optional"), ("doctor", "triage", "essential"),
    ("lecturer", "teach", "essential"), ("care-assistant", "wound", "optional"),
]  # fmt: skip


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def build_esco(folder: Path, *, extra_skill: bool = False) -> Path:
    """Writes the two zips into `folder`; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    isco = [["conceptType", "conceptUri", "code", "preferredLabel", "status", "altLabels"]]
    isco += [
        ["ISCOGroup", f"http://data.europa.eu/esco/isco/C{c}", c, label, "released", ""]
        for c, label in ISCO
    ]
    occupations = [
        ["conceptType", "conceptUri", "iscoGroup", "preferredLabel", "altLabels", "code"]
    ]
    occupations += [
        ["Occupation", OCC + key, group, label, alt, code]
        for key, group, code, label, alt in OCCUPATIONS
    ]
    skills = [["conceptType", "conceptUri", "skillType", "preferredLabel", "altLabels"]]
    entries = list(SKILLS) + ([("extra", "speak Krio", "")] if extra_skill else [])
    skills += [
        ["KnowledgeSkillCompetence", SKILL + key, "skill/competence", label, alt]
        for key, label, alt in entries
    ]
    relations = [["occupationUri", "relationType", "skillType", "skillUri"]]
    relations += [[OCC + o, kind, "skill/competence", SKILL + s] for o, s, kind in RELATIONS]
    with zipfile.ZipFile(folder / "esco-classification-en-csv.zip", "w") as z:
        z.writestr("ISCOGroups_en.csv", _csv(isco))
        z.writestr("occupations_en.csv", _csv(occupations))
        z.writestr("skills_en.csv", _csv(skills))
    with zipfile.ZipFile(folder / "esco-relations-csv.zip", "w") as z:
        z.writestr("occupationSkillRelations.csv", _csv(relations))
    return folder
