"""Demo data for matching: the ESCO taxonomy, a small cohort of refugees and diaspora experts
in Uganda (profiles with consent, offers), needs of organisations, one matching run and a
proposal sent.

`harambee demo` calls `load(stdout)` after the network. The cohort is loaded once (looked up
by its name) and run once, so running it again adds nothing.
"""

from __future__ import annotations

from typing import TextIO

from django.conf import settings
from django.contrib.auth import get_user_model

from harambee.network.demo import UGANDA, YARID
from harambee.network.models import Group, Organisation

from .choices import MatchStatus
from .models import Match, MatchingRun, Occupation, Offer
from .services import execute_run, load_cohort, send_proposal, start_run
from .taxonomy import load_esco

TAXONOMIES = settings.PROJECT_DIR.parent / "shared" / "data" / "taxonomies"
COHORT = "demo-uganda-2026"

# The `harambee match` columns; consent "yes" is recorded as given on paper.
OFFERS = """id,kind,occupations,skills,languages,country,remote,available_from,available_to,capacity,consent
amani,job_seeker,2221:4,administer medication;manage wounds,sw:C2;en:B2,UGA,no,,,1,yes
hodan,diaspora_expert,2211:12,triage patients;manage wounds,so:C2;en:C2,UGA,yes,,,2,yes
jean,job_seeker,2341:3,teach languages,fr:C2;sw:B2;en:B1,UGA,no,,,1,yes
nyandeng,mentor,2341:10,teach languages,en:C2;ar:B2,UGA,yes,,,2,yes
patrick,job_seeker,7411:6,install electrical wiring,en:B2;sw:B2,UGA,no,,,1,yes
samira,volunteer,2221,manage wounds,ar:C2;en:B1,UGA,no,,,1,yes
yusuf,entrepreneur,7411:2,install electrical wiring,so:C2;sw:A2,UGA,no,,,1,no
"""
NEEDS = """id,occupations,skills_required,skills_optional,languages_required,country,remote_ok,start,end,posts
nakivale-clinic,2221,manage wounds,administer medication,sw:B1,UGA,no,,,2
rwamwanja-school,2341,teach languages,,en:B1,UGA,yes,,,2
solar-kyaka,7411,install electrical wiring,,en:B1,UGA,no,,,1
"""


def load(stdout: TextIO) -> None:
    if not Occupation.objects.exists():
        if not TAXONOMIES.exists():
            stdout.write(
                f"Matching: no ESCO files at {TAXONOMIES}; load them later with "
                "`harambee load-esco PATH`; no cohort loaded.\n"
            )
            return
        counts = load_esco(TAXONOMIES)
        stdout.write(
            f"Matching: ESCO loaded ({counts.get('occupations_inserted', 0)} occupations).\n"
        )
    group = Group.objects.filter(name=UGANDA).first()
    organisation = Organisation._base_manager.filter(name=YARID).first()
    coordinator = get_user_model().objects.filter(username="coordinator").first()
    if group is None or coordinator is None:
        stdout.write("Matching: load the network demo first; no cohort loaded.\n")
        return
    if Offer.objects.filter(cohort=COHORT).exists():
        stdout.write(f"Matching: cohort {COHORT} already loaded.\n")
        return
    counts = load_cohort(
        actor=None,
        offers_file=OFFERS,
        needs_file=NEEDS,
        cohort=COHORT,
        group=group,
        organisation=organisation,
    )
    run = start_run(actor=coordinator, group=group, cohort=COHORT)
    # Run it now rather than wait for the background worker, so the board shows proposals.
    run = execute_run(MatchingRun.objects.get(pk=run.pk))
    first = Match.objects.filter(run=run, status=MatchStatus.PROPOSED).order_by("-score").first()
    if first is not None:
        send_proposal(actor=coordinator, match=first)
    stdout.write(
        f"Matching: cohort {COHORT}: {counts['offers']} offers, {counts['needs']} needs, "
        f"{Match.objects.filter(run=run).count()} proposals (one sent).\n"
    )
