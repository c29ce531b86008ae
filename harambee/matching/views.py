"""Matching pages. Thin: selectors read (404 when hidden), forms validate, services write."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from harambee.core.access import access_for
from harambee.core.choices import Permission, Role
from harambee.core.errors import ServiceError
from harambee.core.forms import attempt
from harambee.core.security import any_user
from harambee.core.services import require
from harambee.core.views import denials_as_403, paginate
from harambee.network.models import Group
from harambee.privacy.access import log_access
from harambee.privacy.choices import AccessAction

from . import selectors, services
from .batch import BatchError
from .choices import ConsentPurpose, NeedStatus
from .filtersets import NeedFilterSet, OfferFilterSet
from .forms import (
    AnswerForm,
    CohortForm,
    ConsentForm,
    CredentialForm,
    LanguageForm,
    MessageForm,
    NeedForm,
    NoteForm,
    OccupationForm,
    OfferForm,
    ProfileForm,
    RunForm,
    SendForm,
    SkillForm,
    StatusForm,
)
from .models import MatchingRun, Need, Offer, ProfileSkill
from .taxonomy import search_occupations

GET_POST = require_http_methods(["GET", "POST"])


def _require_matchmaker(request: HttpRequest) -> None:
    if not selectors.matchmaker(request.user):
        raise PermissionDenied(_("Only matchmakers (group coordinators) see this page."))


def _error(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, getattr(exc, "message", str(exc)))


@any_user(
    "Matching home: what the signed-in person may see of offers, needs and their own profile."
)
@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    context = {
        "is_matchmaker": selectors.matchmaker(request.user),
        "profile": selectors.own_profile(user=request.user),
        "inbox_count": selectors.inbox(user=request.user).count(),
    }
    return render(request, "matching/index.html", context)


# --- the person's own profile -----------------------------------------------------------------


def _profile_initial(profile: Any) -> dict[str, Any]:
    return {
        "kind": profile.kind, "name": profile.name, "birth_date": profile.birth_date or None,
        "phone": profile.phone, "email": profile.email, "country": profile.country_id or "",
        "place": profile.place, "remote": profile.remote, "time_zone": profile.time_zone,
        "available_from": profile.available_from, "available_to": profile.available_to,
        "hours_per_week": profile.hours_per_week, "capacity": profile.capacity,
        "version": profile.version,
    }  # fmt: skip


@any_user("The person's own matching profile.")
@login_required
@denials_as_403
@GET_POST
def my_profile(request: HttpRequest) -> HttpResponse:
    """The person's own profile: see it, correct it, consent, export, delete."""
    profile = selectors.own_profile(user=request.user)
    creating = profile is None
    form = ProfileForm(
        request.POST if request.method == "POST" and "save_profile" in request.POST else None,
        initial=None if creating else _profile_initial(profile),
        creating=creating,
    )
    if request.method == "POST" and "save_profile" in request.POST and form.is_valid():
        try:
            if profile is None:
                profile = services.create_profile(actor=request.user, data=form.as_data())
                services.record_consent(
                    actor=request.user, profile=profile, purpose=ConsentPurpose.MATCH, granted=False
                )
                messages.success(
                    request,
                    _("Your profile was created. Say below whether you agree to be matched."),
                )
            else:
                services.update_profile(
                    actor=request.user, profile=profile, data=form.as_data(),
                    expected_version=form.cleaned_data["version"],
                )  # fmt: skip
                messages.success(request, _("Your profile was saved."))
            return redirect("matching:my-profile")
        except (ServiceError, ValidationError) as exc:
            _error(request, exc)
    consents = services.current_consents(profile) if profile else {}
    consent_form = ConsentForm(
        initial={
            "match": bool(consents.get("match") and consents["match"].granted),
            "contact": consents["contact"].scope if consents.get("contact") and consents["contact"].granted else [],
            "reveal": bool(consents.get("reveal") and consents["reveal"].granted),
        }
    )  # fmt: skip
    context = {
        "profile": profile,
        "form": form,
        "view": services.profile_view(request.user, profile) if profile else None,
        "consents": consents,
        "consent_form": consent_form,
        "occupation_form": OccupationForm(),
        "language_form": LanguageForm(),
        "skill_form": SkillForm(),
        "credential_form": CredentialForm(),
        "skills": list(profile.skills.select_related("skill")) if profile else [],
        "staff_changes": services.staff_changes(profile) if profile else [],
        "policy_version": services.POLICY_VERSION,
    }
    return render(request, "matching/my_profile.html", context)


def _own(request: HttpRequest) -> Any:
    profile = selectors.own_profile(user=request.user)
    if profile is None:
        raise PermissionDenied(_("Create your profile first."))
    return profile


@login_required
@denials_as_403
@require_POST
def my_profile_part(request: HttpRequest, part: str) -> HttpResponse:
    """Add or remove occupations, languages, skills, credentials; record consent."""
    profile = _own(request)
    user = request.user
    try:
        if part == "occupation":
            form = OccupationForm(request.POST)
            if form.is_valid():
                code = form.cleaned_data["code"].strip()
                hits = (
                    [h for h in search_occupations(code, limit=1)] if not code[:1].isdigit() else []
                )
                label = ""
                if hits:
                    code, label = hits[0].code, hits[0].label
                from .taxonomy import known_occupation_codes

                if code not in known_occupation_codes():
                    raise ServiceError(_("Unknown occupation code %(code)s.") % {"code": code})
                current = [
                    (o.code, o.label, o.years) for o in profile.occupations.all() if o.code != code
                ]
                services.set_occupations(
                    actor=user, profile=profile, occupations=[*current, (code, label, form.cleaned_data["years"])]
                )  # fmt: skip
        elif part == "occupation-remove":
            code = request.POST.get("code", "")
            current = [
                (o.code, o.label, o.years) for o in profile.occupations.all() if o.code != code
            ]
            services.set_occupations(actor=user, profile=profile, occupations=current)
        elif part == "language":
            form = LanguageForm(request.POST)  # type: ignore[assignment]
            if form.is_valid():
                c = form.cleaned_data
                current = [
                    (x.code, x.spoken, x.written)
                    for x in profile.languages.all()
                    if x.code != c["code"]
                ]
                services.set_languages(
                    actor=user, profile=profile, languages=[*current, (c["code"], c["spoken"], c["written"])]
                )  # fmt: skip
            else:
                raise ServiceError(_("Choose a language and both levels."))
        elif part == "language-remove":
            code = request.POST.get("code", "")
            current = [
                (x.code, x.spoken, x.written) for x in profile.languages.all() if x.code != code
            ]
            services.set_languages(actor=user, profile=profile, languages=current)
        elif part == "skill":
            form = SkillForm(request.POST)  # type: ignore[assignment]
            if form.is_valid():
                services.add_skill(actor=user, profile=profile, text=form.cleaned_data["text"])
        elif part in ("skill-choose", "skill-remove"):
            item = get_object_or_404(
                ProfileSkill, pk=request.POST.get("skill_row", "0") or 0, profile=profile
            )
            if part == "skill-remove":
                services.remove_skill(actor=user, profile_skill=item)
            else:
                value = request.POST.get("skill_id") or None
                services.choose_skill(
                    actor=user, profile_skill=item, skill_id=int(value) if value else None
                )
        elif part == "credential":
            form = CredentialForm(request.POST)  # type: ignore[assignment]
            if form.is_valid():
                services.add_credential(actor=user, profile=profile, data=form.cleaned_data)
        elif part == "consent":
            form = ConsentForm(request.POST)  # type: ignore[assignment]
            if form.is_valid():
                c = form.cleaned_data
                services.record_consent(
                    actor=user, profile=profile, purpose=ConsentPurpose.MATCH, granted=c["match"]
                )
                services.record_consent(
                    actor=user, profile=profile, purpose=ConsentPurpose.CONTACT,
                    granted=bool(c["contact"]), scope=c["contact"],
                )  # fmt: skip
                services.record_consent(
                    actor=user, profile=profile, purpose=ConsentPurpose.REVEAL, granted=c["reveal"]
                )
                messages.success(request, _("Your choices were recorded."))
        else:
            raise PermissionDenied
    except (ServiceError, ValidationError) as exc:
        _error(request, exc)
    return redirect("matching:my-profile")


@login_required
@denials_as_403
@require_GET
def my_profile_export(request: HttpRequest) -> HttpResponse:
    profile = _own(request)
    data = services.export_profile(actor=request.user, profile=profile, request=request)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="harambee-profile-{profile.public_id}.json"'
    )
    return response


@login_required
@denials_as_403
@GET_POST
def my_profile_delete(request: HttpRequest) -> HttpResponse:
    profile = _own(request)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        services.delete_profile(actor=request.user, profile=profile)
        messages.success(
            request, _("Your matching profile and everything linked to it were deleted.")
        )
        return redirect("matching:index")
    return render(request, "matching/my_profile_delete.html", {"profile": profile})


IDENTITY_FIELDS = services.IDENTITY_FIELDS


def _log_identity_shown(request: HttpRequest, profile: Any, view: dict[str, Any] | None) -> None:
    """Someone else's name and contact details (and document numbers) shown in clear: logged.
    An anonymised profile, or the person's own, is not."""
    if view is not None and view["identity_shown"]:
        services.log_identity_shown(request.user, [profile], request=request)


@login_required
@require_GET
def profile_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    profile = selectors.profile_by_public_id(user=request.user, public_id=public_id)
    view = services.profile_view(request.user, profile)
    _log_identity_shown(request, profile, view)
    context = {
        "view": view,
        "profile": profile,
        "is_own": profile.user_id == request.user.pk,
        "can_change": selectors.may_change(user=request.user, obj=profile),
    }
    return render(request, "matching/profile_detail.html", context)


@login_required
@denials_as_403
@GET_POST
def profile_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    """A matchmaker corrects someone's profile (the person's own entries are kept and shown
    side by side). The person edits theirs at /matching/me/."""
    profile = selectors.profile_by_public_id(user=request.user, public_id=public_id)
    if profile.user_id == request.user.pk:
        return redirect("matching:my-profile")
    require(request.user, Permission.CHANGE, profile)
    form = ProfileForm(request.POST or None, initial=_profile_initial(profile), for_staff=True)
    if request.method == "POST" and form.is_valid():
        before = {name: getattr(profile, name) for name in IDENTITY_FIELDS}
        ok, _saved = attempt(
            form, services.update_profile, actor=request.user, profile=profile,
            data=form.as_data(), expected_version=form.cleaned_data["version"],
        )  # fmt: skip
        if ok:
            changed = [name for name in IDENTITY_FIELDS if getattr(profile, name) != before[name]]
            if changed:
                log_access(
                    request.user, [profile], action=AccessAction.CORRECT, fields=changed,
                    request=request,
                )  # fmt: skip
            messages.success(
                request, _("The profile was saved. The person's own entries are kept.")
            )
            return redirect(profile)
    staff_changes = services.staff_changes(profile)
    fields = [*IDENTITY_FIELDS, *(["person_entries"] if staff_changes else [])]
    log_access(request.user, [profile], fields=fields, request=request)
    context = {
        "form": form,
        "profile": profile,
        "staff_changes": staff_changes,
        "title": _("Edit profile %(id)s") % {"id": profile.public_id},
    }
    return render(request, "matching/profile_edit.html", context)


# --- needs and offers --------------------------------------------------------------------------


def _filter_form(filterset_class: Any, request: HttpRequest) -> Any:
    model = filterset_class._meta.model
    return filterset_class(request.GET or None, queryset=model.objects.none(), request=request).form


def _changeable(user: Any, page: Any, model: Any) -> set[int]:
    """Of the rows on a list page, those the user may edit (one query)."""
    return selectors.changeable_ids(user=user, model=model, ids=[obj.pk for obj in page])


@any_user("Needs the user may see (restricted per user).")
@login_required
@require_GET
def need_list(request: HttpRequest) -> HttpResponse:
    queryset = NeedFilterSet(
        request.GET, queryset=selectors.needs(user=request.user), request=request
    ).qs
    page = paginate(request, queryset)
    context = {
        "page": page,
        "filter_form": _filter_form(NeedFilterSet, request),
        "changeable": _changeable(request.user, page, Need),
    }
    return render(request, "matching/need_list.html", context)


@any_user("Offers the user may see (restricted per user).")
@login_required
@require_GET
def offer_list(request: HttpRequest) -> HttpResponse:
    queryset = OfferFilterSet(
        request.GET, queryset=selectors.offers(user=request.user), request=request
    ).qs
    page = paginate(request, queryset)
    context = {
        "page": page,
        "filter_form": _filter_form(OfferFilterSet, request),
        "changeable": _changeable(request.user, page, Offer),
    }
    return render(request, "matching/offer_list.html", context)


@login_required
@require_GET
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(selectors.needs(user=request.user), pk=pk)
    context = {
        "need": need,
        "matches": selectors.matches(user=request.user).filter(need=need),
        "can_change": selectors.may_change(user=request.user, obj=need),
        "status_form": StatusForm(initial={"version": need.version}),
    }
    return render(request, "matching/need_detail.html", context)


@login_required
@require_GET
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(selectors.offers(user=request.user), pk=pk)
    view = services.profile_view(request.user, offer.profile) if offer.profile else None
    _log_identity_shown(request, offer.profile, view)
    context = {
        "offer": offer,
        "view": view,
        "can_change": selectors.may_change(user=request.user, obj=offer),
        "status_form": StatusForm(initial={"version": offer.version}),
    }
    return render(request, "matching/offer_detail.html", context)


def _form_page(request: HttpRequest, form: Any, *, title: str, cancel_url: str) -> HttpResponse:
    context = {"form": form, "title": title, "cancel_url": cancel_url}
    return render(request, "matching/form.html", context)


def _edited_messages(request: HttpRequest, edited: services.Edited[Any], done: str) -> None:
    messages.success(request, done)
    if edited.proposals_removed:
        messages.info(
            request,
            _("Unsent proposals removed: %(count)d. Matchmakers can run matching again.")
            % {"count": edited.proposals_removed},
        )
    if edited.matches_withdrawn:
        messages.info(
            request,
            _("Proposals already sent withdrawn (both sides were told): %(count)d.")
            % {"count": edited.matches_withdrawn},
        )


@any_user("Any signed-in user may post a need (organisations: job openings).")
@login_required
@denials_as_403
@GET_POST
def need_create(request: HttpRequest) -> HttpResponse:
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, need = attempt(form, services.need_create, actor=request.user, data=form.service_data())
        if ok:
            return redirect(need)
    return _form_page(request, form, title=_("New need"), cancel_url=reverse("matching:need-list"))


@login_required
@denials_as_403
@GET_POST
def need_edit(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(selectors.needs(user=request.user), pk=pk)
    require(request.user, Permission.CHANGE, need)
    form = NeedForm(request.POST or None, instance=need)
    if request.method == "POST" and form.is_valid():
        ok, edited = attempt(
            form, services.need_update, actor=request.user, need=need,
            data=form.service_data(), expected_version=form.expected_version,
        )  # fmt: skip
        if ok:
            _edited_messages(request, edited, _("Your changes were saved."))
            return redirect(need)
    title = _("Edit need “%(title)s”") % {"title": need.title}
    return _form_page(request, form, title=title, cancel_url=need.get_absolute_url())


@login_required
@denials_as_403
@GET_POST
def need_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then close the need from the version the user saw."""
    need = get_object_or_404(selectors.needs(user=request.user), pk=pk)
    return _confirm_status_change(
        request,
        need,
        partial(services.need_close, need=need),
        done=_("The need is closed."),
        title=_("Close need “%(title)s”") % {"title": need.title},
        counts=selectors.match_counts(need=need),
        closed=need.status == NeedStatus.CLOSED,
    )


@login_required
@denials_as_403
@require_POST
def need_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(selectors.needs(user=request.user), pk=pk)
    return _undo_status_change(
        request,
        need,
        partial(services.need_reopen, need=need),
        done=_("The need is open again."),
    )


@any_user("Any signed-in user may offer help.")
@login_required
@denials_as_403
@GET_POST
def offer_create(request: HttpRequest) -> HttpResponse:
    form = OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data, m2m = form.service_data()
        ok, offer = attempt(form, services.offer_create, actor=request.user, data=data, m2m=m2m)
        if ok:
            return redirect(offer)
    return _form_page(
        request, form, title=_("New offer"), cancel_url=reverse("matching:offer-list")
    )


@login_required
@denials_as_403
@GET_POST
def offer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(selectors.offers(user=request.user), pk=pk)
    require(request.user, Permission.CHANGE, offer)
    form = OfferForm(request.POST or None, instance=offer)
    if request.method == "POST" and form.is_valid():
        data, m2m = form.service_data()
        ok, edited = attempt(
            form, services.offer_update, actor=request.user, offer=offer, data=data,
            m2m=m2m or None, expected_version=form.expected_version,
        )  # fmt: skip
        if ok:
            _edited_messages(request, edited, _("Your changes were saved."))
            return redirect(offer)
    title = _("Edit offer “%(title)s”") % {"title": offer.title}
    return _form_page(request, form, title=title, cancel_url=offer.get_absolute_url())


@login_required
@denials_as_403
@GET_POST
def offer_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then withdraw the offer from the version the user saw."""
    offer = get_object_or_404(selectors.offers(user=request.user), pk=pk)
    return _confirm_status_change(
        request,
        offer,
        partial(services.offer_withdraw, offer=offer),
        done=_("The offer is withdrawn."),
        title=_("Withdraw offer “%(title)s”") % {"title": offer.title},
        counts=selectors.match_counts(offer=offer),
        closed=not offer.active,
    )


@login_required
@denials_as_403
@require_POST
def offer_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(selectors.offers(user=request.user), pk=pk)
    return _undo_status_change(
        request,
        offer,
        partial(services.offer_reactivate, offer=offer),
        done=_("The offer is available again."),
    )


def _confirm_status_change(
    request: HttpRequest,
    obj: Any,
    change: Callable[..., Any],
    *,
    done: str,
    title: str,
    counts: Any,
    closed: bool,
) -> HttpResponse:
    """Closing a need or withdrawing an offer: a confirmation page showing what it does to the
    matches, then the change from the version the user saw (with an optional reason)."""
    require(request.user, Permission.CHANGE, obj)
    form = StatusForm(request.POST or None, initial={"version": obj.version})
    if request.method == "POST" and form.is_valid():
        ok, edited = attempt(
            form, change, actor=request.user,
            expected_version=form.cleaned_data["version"], reason=form.cleaned_data["reason"],
        )  # fmt: skip
        if ok:
            _edited_messages(request, edited, done)
            return redirect(obj)
    context = {"object": obj, "form": form, "title": title, "counts": counts, "closed": closed}
    return render(request, "matching/status_change.html", context)


def _undo_status_change(
    request: HttpRequest, obj: Any, change: Callable[..., Any], *, done: str
) -> HttpResponse:
    """Reopening a need or offering an offer again (a button on its page): errors come back
    as messages on that page."""
    require(request.user, Permission.CHANGE, obj)
    form = StatusForm(request.POST)
    if form.is_valid():
        ok, edited = attempt(
            form, change, actor=request.user, expected_version=form.cleaned_data["version"]
        )
        if ok:
            _edited_messages(request, edited, done)
            return redirect(obj)
    for error in form.non_field_errors():
        messages.error(request, str(error))
    return redirect(obj)


# --- the matching board ----------------------------------------------------------------------


def _coordinated_groups(user: Any) -> Any:
    access = access_for(user)
    if access.is_admin:
        return Group.objects.all()
    return Group.objects.filter(pk__in=access.groups_with(Role.COORDINATOR))


@login_required
@denials_as_403
@GET_POST
def board(request: HttpRequest) -> HttpResponse:
    """The coordinator's board: load a cohort, run matching, review proposals, send them."""
    _require_matchmaker(request)
    groups = _coordinated_groups(request.user)
    cohort_form = CohortForm(groups=groups)
    run_form = RunForm(groups=groups, initial={"mode": "optimal"})
    if request.method == "POST" and "load_cohort" in request.POST:
        cohort_form = CohortForm(request.POST, request.FILES, groups=groups)
        if cohort_form.is_valid():
            c = cohort_form.cleaned_data
            try:
                counts = services.load_cohort(
                    actor=request.user, offers_file=c["offers"].read(), needs_file=c["needs"].read(),
                    cohort=c["cohort"], group=c["group"],
                )  # fmt: skip
                messages.success(
                    request,
                    _("Cohort %(cohort)s loaded: %(offers)d offers, %(needs)d needs.")
                    % {"cohort": c["cohort"], **counts},
                )
                return redirect(f"{request.path}?cohort={c['cohort']}")
            except BatchError as exc:
                cohort_form.add_error(None, exc.message)
            except ServiceError as exc:
                cohort_form.add_error(None, exc.message)
    elif request.method == "POST" and "run" in request.POST:
        run_form = RunForm(request.POST, groups=groups)
        if run_form.is_valid():
            c = run_form.cleaned_data
            try:
                started = services.start_run(
                    actor=request.user, group=c["group"], cohort=c["cohort"], mode=c["mode"],
                    cap_by=c["cap_by"] or "", cap=c["cap"],
                )  # fmt: skip
                return redirect(f"{request.path}?run={started.pk}")
            except ServiceError as exc:
                run_form.add_error(None, exc.message)
    runs = selectors.runs(user=request.user)[:10]
    run: MatchingRun | None = None
    run_id = request.GET.get("run", "")
    if run_id.isdigit():
        run = selectors.runs(user=request.user).filter(pk=int(run_id)).first()
    elif runs:
        run = runs[0]
    cohort = request.GET.get("cohort", "")
    if cohort and not request.POST:
        run_form = RunForm(groups=groups, initial={"mode": "optimal", "cohort": cohort})
    context = {
        "cohort_form": cohort_form,
        "run_form": run_form,
        "runs": runs,
        "run": run,
        "proposals": selectors.proposals(user=request.user, run=run) if run else [],
        "send_form": SendForm(),
    }
    return render(request, "matching/board.html", context)


@login_required
@require_GET
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    _require_matchmaker(request)
    run = get_object_or_404(selectors.runs(user=request.user), pk=pk)
    return render(request, "matching/_run_progress.html", {"run": run})


# --- matches ---------------------------------------------------------------------------------


@login_required
@require_GET
def match_detail(request: HttpRequest, pk: int) -> HttpResponse:
    match = selectors.visible_match(user=request.user, pk=pk)
    sides = services.match_sides(request.user, match)
    profile = match.offer.profile
    view = services.profile_view(request.user, profile) if profile else None
    _log_identity_shown(request, profile, view)
    context = {
        "match": match,
        "sides": sides,
        "is_matchmaker": selectors.matchmaker(request.user),
        "view": view,
        "match_messages": match.messages.select_related("sender"),
        "check_ins": match.check_ins.all(),
        "send_form": SendForm(),
        "answer_form": AnswerForm(),
        "message_form": MessageForm(),
        "note_form": NoteForm(),
    }
    return render(request, "matching/match_detail.html", context)


@login_required
@denials_as_403
@require_POST
def match_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    match = selectors.visible_match(user=request.user, pk=pk)
    user = request.user
    try:
        if action == "send":
            form = SendForm(request.POST)
            form.is_valid()
            services.send_proposal(
                actor=user, match=match, message=form.cleaned_data.get("message", "")
            )
            messages.success(request, _("The proposal was sent to both sides."))
            if request.POST.get("next") == "board":
                return redirect(f"/matching/board/?run={match.run_id or ''}")
        elif action == "answer":
            answer_form = AnswerForm(request.POST)
            if not answer_form.is_valid():
                raise ServiceError(_("Accept or decline."))
            c = answer_form.cleaned_data
            services.answer(
                actor=user, match=match, accept=c["accept"], reason=c["reason"], reveal=c["reveal"]
            )
            messages.success(request, _("Your answer was recorded."))
        elif action == "message":
            message_form = MessageForm(request.POST)
            if message_form.is_valid():
                services.post_message(
                    actor=user, match=match, body=message_form.cleaned_data["body"]
                )
        elif action == "start":
            services.start_match(actor=user, match=match)
        elif action == "check-in":
            note_form = NoteForm(request.POST)
            if note_form.is_valid():
                services.add_check_in(actor=user, match=match, note=note_form.cleaned_data["note"])
        elif action == "feedback":
            note_form = NoteForm(request.POST)
            if note_form.is_valid():
                services.give_feedback(
                    actor=user, match=match, feedback=note_form.cleaned_data["note"]
                )
        elif action == "withdraw":
            services.withdraw(actor=user, match=match, reason=request.POST.get("reason", ""))
        else:
            raise PermissionDenied
    except (ServiceError, ValidationError) as exc:
        if getattr(exc, "code", "") == "permission_denied":
            raise
        _error(request, exc)
    return redirect("matching:match-detail", pk=match.pk)


@any_user("The person's own matching inbox.")
@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "matching/inbox.html", {"matches": selectors.inbox(user=request.user)})


# --- charts ----------------------------------------------------------------------------------


@any_user("Supply and demand counts over what the user may see.")
@login_required
@require_GET
def charts(request: HttpRequest) -> HttpResponse:
    """Supply against demand by occupation and language for a country (inline SVG)."""
    from harambee.places.models import Country

    country_code = request.GET.get("country", "").strip().upper()[:3]
    country = Country.objects.filter(iso3=country_code).first() if country_code else None
    data = None
    if country is not None:
        data = services.supply_demand(
            offers=selectors.offers(user=request.user),
            needs=selectors.needs(user=request.user),
            country=country.iso3,
        )
        for rows in data.values():
            top = max([max(r["supply"], r["demand"]) for r in rows] or [1]) or 1
            for i, r in enumerate(rows):
                r["y"] = i * 34
                r["supply_w"] = round(300 * r["supply"] / top)
                r["demand_w"] = round(300 * r["demand"] / top)
    countries = Country.objects.filter(
        iso3__in=Need.objects.restrict(request.user)
        .filter(status=NeedStatus.OPEN)
        .values("country_id")
    )
    return render(
        request,
        "matching/charts.html",
        {"country": country, "data": data, "countries": countries},
    )


@any_user("The ESCO/ISCO taxonomy search.")
@login_required
@require_GET
def occupation_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    hits = search_occupations(query, limit=10) if query.strip() else []
    return JsonResponse(
        {"results": [{"code": h.code, "label": h.label, "score": round(h.score, 1)} for h in hits]}
    )


__all__ = ["MatchingRun"]
