"""Demo data for the network, modelled on the Solutions Alliance: four country groups led by
their host governments, three thematic groups that serve them, a diaspora working group,
their member organisations, work plans, requests between groups, and one login per role.

`harambee demo` calls `load(stdout)`. Every step looks records up by a natural key first (a
name, a title), so running it again adds nothing. Organisations are real; people are fictional.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.db import transaction

from harambee.core.choices import Role, Visibility

from . import services
from .choices import GroupKind, MembershipRole, RequestStatus
from .choices import OrganisationType as T
from .models import Group, GroupRole, Membership, Organisation, Person, Request, WorkplanItem

User = get_user_model()


@dataclass
class Org:
    name: str
    acronym: str
    org_type: str
    hq: str | None
    countries: list[str] = field(default_factory=list)
    origin: str | None = None
    residence: list[str] = field(default_factory=list)
    iati_ref: str | None = None
    website: str = ""
    description: str = ""
    visibility: str = Visibility.PUBLIC
    owner: str | None = None  # name of the organisation maintaining the record
    verified: bool = True


# fmt: off
OPM = "Government of Uganda - Office of the Prime Minister"
COR = "Government of Zambia - Office of the Commissioner for Refugees"
MHA = "Government of Tanzania - Ministry of Home Affairs"
RAS = "Government of Kenya - Refugee Affairs Secretariat"
UNHCR = "Office of the United Nations High Commissioner for Refugees"
DRC = "Danish Refugee Council"
RSC = "Refugee Studies Centre, University of Oxford"
SECRETARIAT = "Solutions Alliance Secretariat"
YARID = "Young African Refugees for Integral Development"

ORGANISATIONS: list[Org] = [
    # Host governments: the champions that lead the country groups.
    Org(OPM, "OPM", T.HOST_GOVERNMENT, "UGA", ["UGA"],
        description="Coordinates the refugee response and the Settlement Transformative Agenda."),
    Org(COR, "COR", T.HOST_GOVERNMENT, "ZMB", ["ZMB"],
        description="Ministry of Home Affairs office in charge of refugees and local integration."),
    Org(MHA, "MHA", T.HOST_GOVERNMENT, "TZA", ["TZA"],
        description="Led the naturalisation of the 1972 Burundian refugees."),
    Org(RAS, "RAS", T.HOST_GOVERNMENT, "KEN", ["KEN"],
        description="Kenya's refugee agency, responsible for Dadaab and Kakuma."),
    Org("Federal Government of Somalia - National Commission for Refugees and IDPs", "NCRI",
        T.HOST_GOVERNMENT, "SOM", ["SOM"]),
    # Donor governments.
    Org("Ministry of Foreign Affairs of Denmark", "Danida", T.DONOR_GOVERNMENT, "DNK",
        ["UGA", "KEN", "SOM", "TZA"], website="https://um.dk"),
    Org("European Civil Protection and Humanitarian Aid Operations", "ECHO", T.DONOR_GOVERNMENT,
        "BEL", ["UGA", "KEN", "SOM"]),
    Org("Foreign, Commonwealth & Development Office", "FCDO", T.DONOR_GOVERNMENT, "GBR",
        ["UGA", "KEN", "SOM", "ZMB", "TZA"], iati_ref="GB-GOV-1"),
    Org("Swiss Agency for Development and Cooperation", "SDC", T.DONOR_GOVERNMENT, "CHE",
        ["SOM", "KEN"]),
    # UN agencies.
    Org(UNHCR, "UNHCR", T.UN_AGENCY, "CHE", ["UGA", "ZMB", "TZA", "KEN", "SOM"],
        iati_ref="XM-DAC-41121", website="https://www.unhcr.org"),
    Org("United Nations Development Programme", "UNDP", T.UN_AGENCY, "USA",
        ["UGA", "ZMB", "TZA", "KEN", "SOM"], iati_ref="XM-DAC-41114"),
    Org("International Organization for Migration", "IOM", T.UN_AGENCY, "CHE",
        ["KEN", "SOM", "TZA"], iati_ref="XM-DAC-47066",
        description="Its 3E strategy: enable, engage and empower diasporas."),
    Org("United Nations Office for the Coordination of Humanitarian Affairs", "OCHA", T.UN_AGENCY,
        "CHE", ["SOM", "KEN"]),
    # International NGOs.
    Org(DRC, "DRC", T.INTERNATIONAL_NGO, "DNK", ["UGA", "KEN", "SOM", "TZA"],
        website="https://drc.ngo"),
    Org("Norwegian Refugee Council", "NRC", T.INTERNATIONAL_NGO, "NOR", ["UGA", "KEN", "SOM"]),
    Org("International Rescue Committee", "IRC", T.INTERNATIONAL_NGO, "USA", ["UGA", "KEN", "TZA"]),
    Org("Oxfam", "", T.INTERNATIONAL_NGO, "GBR", ["UGA", "KEN", "SOM", "ZMB"]),
    Org("Mercy Corps", "", T.INTERNATIONAL_NGO, "USA", ["UGA", "SOM"]),
    # National NGOs.
    Org("Refugee Law Project", "RLP", T.NATIONAL_NGO, "UGA", ["UGA"],
        description="School of Law, Makerere University: legal aid and access to justice."),
    Org("Tanganyika Christian Refugee Service", "TCRS", T.NATIONAL_NGO, "TZA", ["TZA"]),
    Org("Kituo Cha Sheria", "", T.NATIONAL_NGO, "KEN", ["KEN"],
        description="Legal aid centre; runs a refugee programme in Nairobi."),
    Org("Caritas Zambia", "", T.NATIONAL_NGO, "ZMB", ["ZMB"]),
    # Refugee-led organisations.
    Org(YARID, "YARID", T.REFUGEE_LED, "UGA", ["UGA"]),
    Org("Nakivale Refugee Women Entrepreneurs Association", "NRWEA", T.REFUGEE_LED, "UGA", ["UGA"],
        visibility=Visibility.ORGANISATION, owner=YARID, verified=False,
        description="Seen by YARID, which keeps this record, and by the coordinators of the "
        "groups YARID belongs to."),
    Org("Kakuma Refugee Youth Network", "KRYN", T.REFUGEE_LED, "KEN", ["KEN"], verified=False),
    Org("Mogadishu Returnee Cooperative", "MRC", T.REFUGEE_LED, "SOM", ["SOM"],
        visibility=Visibility.NAMED, owner=DRC, verified=False,
        description="Seen only by the people named on the record."),
    # Diaspora organisations.
    Org("Somali Diaspora Development Forum", "SDDF", T.DIASPORA, "GBR", ["SOM", "KEN"],
        origin="SOM", residence=["GBR", "SWE", "USA", "NOR"], visibility=Visibility.NETWORK,
        description="Diaspora philanthropy after droughts; seen by network members only."),
    Org("Union of Medical Care and Relief Organizations", "UOSSM", T.DIASPORA, "FRA", ["SYR", "TUR"],
        origin="SYR", residence=["CHE", "FRA", "CAN", "USA", "DEU"],
        description="Transnational and transgenerational: doctors in the diaspora for decades "
        "and young staff who just fled Syria."),
    Org("Ugandan Diaspora Network UK", "UDN-UK", T.DIASPORA, "GBR", ["UGA"], origin="UGA",
        residence=["GBR"], verified=False),
    Org("Congolese Diaspora for Development", "CDD", T.DIASPORA, "BEL", ["COD", "UGA"],
        origin="COD", residence=["BEL", "FRA"], verified=False),
    Org("Sierra Leone Diaspora Health Network", "SLDHN", T.DIASPORA, "GBR", ["SLE"], origin="SLE",
        residence=["GBR"], verified=False,
        description="Health workers of the diaspora mapped during the Ebola outbreak."),
    # Red Cross and Red Crescent.
    Org("Uganda Red Cross Society", "URCS", T.RED_CROSS, "UGA", ["UGA"]),
    Org("Zambia Red Cross Society", "ZRCS", T.RED_CROSS, "ZMB", ["ZMB"]),
    Org("Kenya Red Cross Society", "KRCS", T.RED_CROSS, "KEN", ["KEN"]),
    Org("Tanzania Red Cross Society", "TRCS", T.RED_CROSS, "TZA", ["TZA"]),
    # Private companies.
    Org("Safaricom", "", T.PRIVATE, "KEN", ["KEN"], description="Mobile money (M-Pesa)."),
    Org("MTN Uganda", "", T.PRIVATE, "UGA", ["UGA"]),
    # Banks and money transfer.
    Org("Equity Bank", "", T.BANK, "KEN", ["KEN", "UGA", "TZA"]),
    Org("Stanbic Bank Uganda", "", T.BANK, "UGA", ["UGA"]),
    Org("Zambia National Commercial Bank", "Zanaco", T.BANK, "ZMB", ["ZMB"]),
    Org("CRDB Bank", "CRDB", T.BANK, "TZA", ["TZA"]),
    Org("Dahabshiil", "", T.BANK, "SOM", ["SOM", "KEN", "GBR"],
        description="Money transfer operator: remittances from the Somali diaspora."),
    Org("World Bank Group", "WBG", T.BANK, "USA", ["UGA", "ZMB", "TZA", "KEN", "SOM"]),
    # Academia and research.
    Org(RSC, "RSC", T.ACADEMIC, "GBR", [], website="https://www.rsc.ox.ac.uk"),
    Org("Makerere University", "MAK", T.ACADEMIC, "UGA", ["UGA"]),
    Org("University of Zambia", "UNZA", T.ACADEMIC, "ZMB", ["ZMB"]),
    Org("Danish Institute for International Studies", "DIIS", T.ACADEMIC, "DNK", []),
    # Foundations.
    Org("IKEA Foundation", "", T.FOUNDATION, "NLD", ["UGA", "KEN"]),
    Org("Mastercard Foundation", "", T.FOUNDATION, "CAN", ["UGA", "KEN", "TZA"]),
    # Others: secretariats, consortia, business associations.
    Org(SECRETARIAT, "", T.OTHER, "DNK", [],
        description="Supports the national and thematic groups of the Alliance."),
    Org("Regional Durable Solutions Secretariat", "ReDSS", T.OTHER, "KEN", ["KEN", "SOM"]),
    Org("Diaspora Emergency Action & Coordination", "DEMAC", T.OTHER, "DNK", ["SOM"],
        description="Links diaspora organisations with the humanitarian system."),
    Org("Kenya Private Sector Alliance", "KEPSA", T.OTHER, "KEN", ["KEN"]),
]


@dataclass
class GroupSpec:
    name: str
    kind: str
    country: str | None
    purpose: str
    leads: list[str]
    members: list[str]
    observers: list[str] = field(default_factory=list)


UGANDA = "Uganda National Group"
ZAMBIA = "Zambia National Group"
TANZANIA = "Tanzania National Group"
SOMALI = "Somali Refugees National Group (Kenya)"
PRIVATE = "Private Sector Group"
RULE_OF_LAW = "Rule of Law Group"
RESEARCH = "Research, Data and Performance Management Group"
DIASPORA = "Diaspora Engagement Working Group"

GROUPS: list[GroupSpec] = [
    GroupSpec(
        UGANDA, GroupKind.COUNTRY, "UGA",
        "Enhance the self-reliance and resilience of refugees and their hosts, with refugees "
        "included in national and district development plans.",
        [OPM],
        [UNHCR, "United Nations Development Programme", DRC, "Mercy Corps",
         "Uganda Red Cross Society", "Refugee Law Project", YARID,
         "Nakivale Refugee Women Entrepreneurs Association", "Stanbic Bank Uganda", "MTN Uganda",
         "Makerere University", "IKEA Foundation"],
        ["Ugandan Diaspora Network UK", "Congolese Diaspora for Development"],
    ),
    GroupSpec(
        ZAMBIA, GroupKind.COUNTRY, "ZMB",
        "Local integration of former refugees: residence permits, land in the resettlement "
        "schemes, and a pioneering naturalisation process.",
        [COR],
        [UNHCR, "United Nations Development Programme", "Zambia Red Cross Society",
         "Caritas Zambia", "Zambia National Commercial Bank", "University of Zambia"],
        ["Ministry of Foreign Affairs of Denmark"],
    ),
    GroupSpec(
        TANZANIA, GroupKind.COUNTRY, "TZA",
        "Naturalisation of the 1972 Burundian refugees and their integration as new citizens.",
        [MHA],
        [UNHCR, "Tanganyika Christian Refugee Service", "Tanzania Red Cross Society",
         "CRDB Bank", "International Organization for Migration", "International Rescue Committee"],
    ),
    GroupSpec(
        SOMALI, GroupKind.COUNTRY, "KEN",
        "Solutions for Somali refugees in Kenya: voluntary return where possible, and synergies "
        "between refugee return and internal displacement in Somalia.",
        [RAS],
        ["Federal Government of Somalia - National Commission for Refugees and IDPs", UNHCR,
         "Norwegian Refugee Council", "Regional Durable Solutions Secretariat",
         "Kenya Red Cross Society", "Kituo Cha Sheria", "Kakuma Refugee Youth Network",
         "Equity Bank", "Safaricom", "Dahabshiil", "Somali Diaspora Development Forum",
         "Mogadishu Returnee Cooperative"],
        ["Swiss Agency for Development and Cooperation"],
    ),
    GroupSpec(
        PRIVATE, GroupKind.THEMATIC, None,
        "Connect the national groups with business: local small and medium-sized enterprises "
        "and international companies.",
        ["Kenya Private Sector Alliance", "Mastercard Foundation"],
        ["Safaricom", "MTN Uganda", "Equity Bank", "Stanbic Bank Uganda",
         "Zambia National Commercial Bank", "CRDB Bank", "Dahabshiil", "World Bank Group",
         "IKEA Foundation"],
    ),
    GroupSpec(
        RULE_OF_LAW, GroupKind.THEMATIC, None,
        "Regulatory barriers to solutions, and the rule-of-law lessons and achievements of the "
        "national groups.",
        ["Norwegian Refugee Council", "Refugee Law Project"],
        ["Kituo Cha Sheria", UNHCR, DRC],
        ["Foreign, Commonwealth & Development Office"],
    ),
    GroupSpec(
        RESEARCH, GroupKind.THEMATIC, None,
        "Access to existing research, new research where it is missing, and shared analysis "
        "for joint strategies.",
        [RSC],
        ["Danish Institute for International Studies", "Makerere University",
         "University of Zambia", "Regional Durable Solutions Secretariat", "World Bank Group",
         UNHCR],
    ),
    GroupSpec(
        DIASPORA, GroupKind.OTHER, None,
        "Diasporas in humanitarian response: mapping who does what where, remittances and "
        "diaspora philanthropy, accountability to affected people.",
        ["Diaspora Emergency Action & Coordination"],
        ["Union of Medical Care and Relief Organizations", "Somali Diaspora Development Forum",
         "Ugandan Diaspora Network UK", "Congolese Diaspora for Development",
         "Sierra Leone Diaspora Health Network", DRC, "International Organization for Migration",
         "United Nations Office for the Coordination of Humanitarian Affairs"],
        ["European Civil Protection and Humanitarian Aid Operations"],
    ),
]

# (group, challenge, objective, owner organisation, months from now, status)
WORKPLAN: list[tuple[str, str, str, str, int, str]] = [
    (UGANDA, "Refugee settlements outside district plans",
     "Include the refugee-hosting districts' settlements in the district development plans.",
     OPM, 6, "in_progress"),
    (UGANDA, "Refugee entrepreneurs cannot get capital",
     "Agree with banks an account and small-loan offer for holders of refugee ID cards.",
     "Stanbic Bank Uganda", 9, "planned"),
    (UGANDA, "Too few mentors for refugee-owned businesses",
     "Pair 50 entrepreneurs in Nakivale with mentors, remotely where none are near.",
     DRC, 12, "planned"),
    (UGANDA, "No shared evidence on refugee livelihoods",
     "A joint survey of refugee and host households' incomes in two settlements.",
     "Makerere University", -2, "done"),
    (ZAMBIA, "Former refugees without legal status",
     "Issue residence permits to former Angolan and Rwandan refugees who chose to stay.",
     COR, 6, "in_progress"),
    (ZAMBIA, "No land for integrated families",
     "Allocate plots in the Meheba and Mayukwayukwa resettlement schemes.",
     COR, 12, "planned"),
    (ZAMBIA, "Banks refuse former refugees' documents",
     "Have residence permits accepted as identification for opening an account.",
     "Zambia National Commercial Bank", 9, "planned"),
    (TANZANIA, "New citizens without certificates",
     "Hand certificates of naturalisation to the 1972 Burundian refugees in the old settlements.",
     MHA, 4, "in_progress"),
    (TANZANIA, "Old settlements outside district services",
     "Hand schools and health centres in the old settlements over to the districts.",
     "Tanganyika Christian Refugee Service", 18, "planned"),
    (SOMALI, "Return and internal displacement planned apart",
     "One durable-solutions analysis for returnees and IDPs in the areas of return.",
     "Regional Durable Solutions Secretariat", 5, "in_progress"),
    (SOMALI, "Bank de-risking closes remittance channels",
     "Information sharing between international and correspondent banks on the money "
     "transfer operators that serve Somalia.",
     "Dahabshiil", 8, "planned"),
    (SOMALI, "Social protection stops at the border",
     "Map which cash and social protection entitlements follow refugees who return.",
     "Norwegian Refugee Council", 10, "planned"),
]


@dataclass
class RequestSpec:
    title: str
    from_group: str
    to_group: str | None
    to_organisation: str | None
    rationale: str
    months: int
    status: str
    responses: list[tuple[str, str]]
    visibility: str = Visibility.PUBLIC


REQUESTS: list[RequestSpec] = [
    RequestSpec(
        "Mentors and small loans for refugee entrepreneurs in Nakivale", UGANDA, PRIVATE, None,
        "Mentoring works when it is one-to-one and sustained, and mentors are scarce. Refugees "
        "cannot borrow from banks for lack of assets or credit history.",
        3, RequestStatus.ACCEPTED,
        [("Stanbic Bank Uganda", "An account with simpler checks for refugee ID card holders, "
          "piloted in Nakivale."),
         ("Mastercard Foundation", "Co-funding for remote mentoring of 100 entrepreneurs.")],
    ),
    RequestSpec(
        "Sanctions compliance guidance for NGOs paying through remittance companies", SOMALI,
        RULE_OF_LAW, None,
        "Correspondent banks block transfers for lack of information, and small NGOs struggle to "
        "understand what sanctions rules ask of them.",
        2, RequestStatus.IN_PROGRESS,
        [("Norwegian Refugee Council", "Our sanctions policy and staff training, to adapt."),
         ("Kituo Cha Sheria", "Legal clinics for refugee-led organisations in Nairobi and Kakuma.")],
    ),
    RequestSpec(
        "Evidence on the outcomes of locally integrated former refugees", ZAMBIA, RESEARCH, None,
        "The government needs evidence that local integration works before extending it.",
        6, RequestStatus.OPEN,
        [("University of Zambia", "A field survey in Meheba with our master's students."),
         (RSC, "A review of the method and joint analysis of the results.")],
    ),
    RequestSpec(
        "Lessons from the naturalisation of the 1972 Burundian refugees", TANZANIA, RULE_OF_LAW,
        None, "Other countries in the region ask how the process was run.",
        -1, RequestStatus.DONE,
        [("Refugee Law Project", "A comparative note on citizenship procedures in the region.")],
    ),
    RequestSpec(
        "Bank accounts for refugees in Kakuma and Dadaab", SOMALI, None, "Equity Bank",
        "Cash assistance and remittances need accounts that refugees can open with the "
        "documents they have.",
        4, RequestStatus.OPEN, [], Visibility.NETWORK,
    ),
    RequestSpec(
        "Indicators to follow up pledges on refugee self-reliance", UGANDA, RESEARCH, None,
        "Global commitments are non-binding; without indicators nobody can tell whether they "
        "were kept.",
        5, RequestStatus.OPEN, [],
    ),
]

# Fictional people: given and family names combined in order, one or two per organisation.
GIVEN = ["Amina", "Joseph", "Grace", "Peter", "Fatuma", "Samuel", "Mette", "Lars", "Hodan",
         "David", "Esther", "Musa", "Claire", "Ibrahim", "Agnes", "Tomas", "Ruth", "Abdi",
         "Nadia", "Brian", "Mercy", "Omar", "Ingrid", "Patrick"]
FAMILY = ["Okello", "Banda", "Mushi", "Mwangi", "Warsame", "Nakato", "Jensen", "Phiri",
          "Kimaro", "Otieno", "Hassan", "Achieng", "Lungu", "Mohamed", "Nilsen", "Mbeki",
          "Aden", "Tembo", "Kamau", "Said", "Mulenga"]
ROLES = ["Focal point", "Programme manager", "Partnerships officer", "Head of office",
         "Livelihoods adviser", "Legal officer", "Research fellow"]

# fmt: on


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    first_name: str
    last_name: str
    organisation: str
    group: str | None
    role: str | None
    superuser: bool = False

    @property
    def description(self) -> str:
        if self.superuser:
            return "platform admin"
        return f"{self.role} in {self.group}"


# fmt: off
DEMO_USERS: list[DemoUser] = [
    DemoUser("admin", "harambee-admin", "Ada", "Admin", SECRETARIAT, None, None, superuser=True),
    DemoUser("coordinator", "harambee-coordinator", "Rose", "Nabirye", OPM, UGANDA, Role.COORDINATOR),
    DemoUser("editor", "harambee-editor", "Henrik", "Larsen", DRC, UGANDA, Role.EDITOR),
    DemoUser("viewer", "harambee-viewer", "Faith", "Chanda", RSC, RESEARCH, Role.VIEWER),
]
# fmt: on


class _Counter:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def add(self, label: str) -> None:
        self.counts[label] = self.counts.get(label, 0) + 1

    def summary(self) -> str:
        if not self.counts:
            return "nothing new"
        return ", ".join(f"{n} {label}" for label, n in self.counts.items())


def _months(n: int) -> datetime.date:
    today = datetime.date.today()
    month = today.month - 1 + n
    return datetime.date(today.year + month // 12, month % 12 + 1, 1)


def _organisations(created: _Counter) -> dict[str, Organisation]:
    by_name = {
        o.name: o for o in Organisation.objects.filter(name__in=[s.name for s in ORGANISATIONS])
    }
    for spec in ORGANISATIONS:
        if spec.name in by_name:
            continue
        data: dict[str, Any] = {
            "name": spec.name,
            "acronym": spec.acronym,
            "org_type": spec.org_type,
            "hq_country_id": spec.hq,
            "origin_country_id": spec.origin,
            "iati_ref": spec.iati_ref,
            "website": spec.website,
            "description": spec.description,
            "visibility": spec.visibility,
            "verified": spec.verified,
        }
        if spec.owner:
            data["owner_organisation"] = by_name[spec.owner]
        by_name[spec.name] = services.organisation_create(
            actor=None,
            data=data,
            m2m={"countries": spec.countries, "residence_countries": spec.residence},
            allow_duplicate=True,  # the name is the key here; near names are different bodies
        )
        created.add("organisations")
    return by_name


def _users(orgs: dict[str, Organisation], created: _Counter) -> dict[str, Any]:
    users = {}
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{spec.username}@example.org",
                organisation=orgs[spec.organisation],
                is_superuser=spec.superuser,
                is_staff=spec.superuser,
            )
            user.set_password(spec.password)
            user.save()
            created.add("users")
        users[spec.username] = user
    return users


def _groups(orgs: dict[str, Organisation], created: _Counter) -> dict[str, Group]:
    groups = {g.name: g for g in Group.objects.filter(name__in=[s.name for s in GROUPS])}
    for spec in GROUPS:
        group = groups.get(spec.name)
        if group is None:
            group = services.group_create(
                actor=None,
                data={
                    "name": spec.name,
                    "kind": spec.kind,
                    "country_id": spec.country,
                    "purpose": spec.purpose,
                    "owner_organisation": orgs[spec.leads[0]],
                },
            )
            groups[spec.name] = group
            created.add("groups")
        existing = set(
            Membership.objects.filter(group=group).values_list("organisation__name", flat=True)
        )
        for names, role in (
            (spec.leads, MembershipRole.LEAD),
            (spec.members, MembershipRole.MEMBER),
            (spec.observers, MembershipRole.OBSERVER),
        ):
            for name in names:
                if name in existing:
                    continue
                services.membership_create(
                    actor=None,
                    group=group,
                    data={
                        "organisation": orgs[name],
                        "role": role,
                        "since": datetime.date(2016, 2, 1),
                    },
                )
                created.add("memberships")
    return groups


def _roles(users: dict[str, Any], groups: dict[str, Group], created: _Counter) -> None:
    for spec in DEMO_USERS:
        if spec.group is None or spec.role is None:
            continue
        user, group = users[spec.username], groups[spec.group]
        if GroupRole.objects.filter(group=group, user=user).exists():
            continue
        services.group_role_set(actor=None, group=group, user=user, role=spec.role)
        created.add("group roles")


def _workplans(orgs: dict[str, Organisation], groups: dict[str, Group], created: _Counter) -> None:
    existing = set(WorkplanItem.objects.values_list("group__name", "challenge"))
    for group, challenge, objective, owner, months, status in WORKPLAN:
        if (group, challenge) in existing:
            continue
        services.workplan_item_create(
            actor=None,
            group=groups[group],
            data={
                "challenge": challenge,
                "objective": objective,
                "owner": orgs[owner],
                "due_date": _months(months),
                "status": status,
            },
        )
        created.add("work plan items")


def _requests(orgs: dict[str, Organisation], groups: dict[str, Group], created: _Counter) -> None:
    existing = {r.title: r for r in Request.objects.filter(title__in=[s.title for s in REQUESTS])}
    for spec in REQUESTS:
        request = existing.get(spec.title)
        if request is None:
            request = services.request_create(
                actor=None,
                data={
                    "from_group": groups[spec.from_group],
                    "to_group": groups[spec.to_group] if spec.to_group else None,
                    "to_organisation": orgs[spec.to_organisation] if spec.to_organisation else None,
                    "title": spec.title,
                    "rationale": spec.rationale,
                    "needed_by": _months(spec.months),
                    "visibility": spec.visibility,
                    "owner_organisation": groups[spec.from_group].owner_organisation,
                },
            )
            created.add("requests")
            # Responses come while a request is open; then it moves on to its status.
            for name, offer in spec.responses:
                services.request_respond(
                    actor=None, request=request, organisation=orgs[name], offer=offer
                )
                created.add("responses")
            path = {
                RequestStatus.OPEN: [],
                RequestStatus.ACCEPTED: [RequestStatus.ACCEPTED],
                RequestStatus.IN_PROGRESS: [RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS],
                RequestStatus.DONE: [RequestStatus.ACCEPTED, RequestStatus.DONE],
                RequestStatus.DECLINED: [RequestStatus.DECLINED],
            }[RequestStatus(spec.status)]
            for status in path:
                request = services.request_set_status(
                    actor=None, request=request, status=status, expected_version=None
                )


def _people(orgs: dict[str, Organisation], users: dict[str, Any], created: _Counter) -> None:
    existing = set(Person.objects.values_list("organisation__name", "name"))
    n = 0
    for index, spec in enumerate(ORGANISATIONS):
        count = 2 if index % 3 == 0 else 1
        for _ in range(count):
            name = f"{GIVEN[n % len(GIVEN)]} {FAMILY[(n * 7) % len(FAMILY)]}"
            role = ROLES[n % len(ROLES)]
            n += 1
            if (spec.name, name) in existing:
                continue
            # Every fifth contact is shared with named people only: the coordinator sees it.
            named = n % 5 == 0
            services.person_create(
                actor=None,
                data={
                    "organisation": orgs[spec.name],
                    "name": name,
                    "role": role,
                    "email": f"{name.lower().replace(' ', '.')}@example.org",
                    "visibility": Visibility.NAMED if named else Visibility.ORGANISATION,
                },
                m2m={"shared_with": [users["coordinator"]]} if named else None,
            )
            created.add("people")


def _named(orgs: dict[str, Organisation], users: dict[str, Any], created: _Counter) -> None:
    """Name who may see the organisation visible to named people only (the users exist now)."""
    record = orgs["Mogadishu Returnee Cooperative"]
    wanted = {users["editor"].pk, users["coordinator"].pk}
    if wanted <= set(record.shared_with.values_list("pk", flat=True)):
        return
    services.organisation_update(
        actor=None,
        organisation=record,
        data={},
        expected_version=None,
        m2m={"shared_with": wanted | set(record.shared_with.values_list("pk", flat=True))},
    )
    created.add("named viewers")


@transaction.atomic
def load(stdout: TextIO) -> None:
    created = _Counter()
    orgs = _organisations(created)
    users = _users(orgs, created)
    groups = _groups(orgs, created)
    _roles(users, groups, created)
    _workplans(orgs, groups, created)
    _requests(orgs, groups, created)
    _people(orgs, users, created)
    _named(orgs, users, created)
    stdout.write(f"Network demo: {created.summary()}.\n")
