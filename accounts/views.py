"""Account pages: People (invitations and users, for staff), accepting an invitation, password
reset (Django's views, our templates), two-factor enrolment and sign-in, the user's API tokens."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from knox.models import AuthToken

from accounts import lockout, tokens, transitions, twofactor
from accounts.forms import CodeForm, InviteForm, PasswordResetForm
from accounts.queries import people, visible_invitations, with_status
from accounts.throttling import allowed
from core.errors import DomainError
from core.pages import apply_errors, page, staff_page
from core.roles import COORDINATORS, VIEWERS

# The backend that reads who is calling in one query (core.auth).
BACKEND = "core.auth.ModelBackend"


# --- People (staff) ----------------------------------------------------------------------------


def _people_context(request, form=None):
    everyone = sorted(people(), key=lambda u: (u.email or u.username).lower())
    staff, liaisons = [], {}
    for user in everyone:
        profile = getattr(user, "liaison_profile", None)
        if profile is not None:
            liaisons.setdefault(profile.country, []).append(user)
        else:
            groups = {g.name for g in user.groups.all()}
            user.role_label = _("Coordinator") if COORDINATORS in groups else _("Viewer") if VIEWERS in groups else ""
            staff.append(user)
    open_invitations = visible_invitations(request.user)
    pending = list(with_status(open_invitations, "pending")) + list(with_status(open_invitations, "expired"))
    return {
        "form": form or InviteForm(),
        "pending": pending,
        "staff": staff,
        "liaisons": sorted(liaisons.items()),
        "locked": lockout.locked_usernames(u.username for u in everyone),
        "section": "people",
    }


@staff_page
@require_GET
def people_page(request):
    return page(request, "accounts/people.html", _people_context(request))


@staff_page
@require_POST
def invite(request):
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = transitions.invite(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("people")
    return page(request, "accounts/people.html", _people_context(request, form))


def _people_move(move, done_message):
    @staff_page
    @require_POST
    def view(request, pk):
        try:
            move(pk, actor=request.user)
        except (DomainError, ValidationError) as exc:
            messages.error(request, exc.message if isinstance(exc, DomainError) else " ".join(exc.messages))
        else:
            messages.success(request, done_message())
        return redirect("people")

    return view


def _invitation_move(move, done):
    def run(pk, *, actor):
        get_object_or_404(visible_invitations(actor), pk=pk)
        return move(pk, actor=actor)

    return _people_move(run, done)


def _user_move(move, done):
    def run(pk, *, actor):
        get_object_or_404(get_user_model(), pk=pk)
        return move(pk, actor=actor)

    return _people_move(run, done)


resend = _invitation_move(transitions.resend, lambda: _("Invitation sent again, with a new link."))
revoke = _invitation_move(transitions.revoke, lambda: _("Invitation revoked."))
deactivate = _user_move(transitions.deactivate, lambda: _("Account deactivated: its sessions and tokens have ended."))
reactivate = _user_move(transitions.reactivate, lambda: _("Account reactivated."))
unlock = _user_move(transitions.unlock, lambda: _("Account unlocked: it may sign in again now."))


# --- Accepting an invitation (anyone with the link) ----------------------------------------------


@require_http_methods(["GET", "POST"])
def accept_invitation(request, secret):
    try:
        invitation = transitions.invitation_for(secret)
    except transitions.InvitationRefused as refused:
        return render(request, "accounts/invitation_refused.html", {"reason": refused.message}, status=404)
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = transitions.accept(secret, password=form.cleaned_data["new_password1"])
        except transitions.InvitationRefused as refused:
            return render(request, "accounts/invitation_refused.html", {"reason": refused.message}, status=404)
        login(request, user, backend=BACKEND)
        return redirect("home")
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation})


# --- Password reset: Django's views, our templates, throttled per client ------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def post(self, request, *args, **kwargs):
        if not allowed(request, "password_reset"):
            form = self.get_form()
            form.is_valid()
            form.add_error(None, _("Too many reset requests from this address. Try again in an hour."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        messages.success(self.request, _("Password changed. Your API tokens have been revoked."))
        return super().form_valid(form)


# --- Two-factor sign-in ------------------------------------------------------------------------


@login_required
@require_GET
def two_factor(request):
    context = {
        "enrolled": twofactor.has_device(request.user),
        "recovery_left": twofactor.remaining_recovery_codes(request.user),
        "required": twofactor.must_enrol(request.user, required=settings.TWO_FACTOR_REQUIRED),
    }
    return render(request, "accounts/two_factor.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request):
    if request.session.get(twofactor.PENDING) == twofactor.VERIFY:
        return redirect("two_factor_verify")
    if request.method == "POST" and not twofactor.has_pending_device(request.user):
        return redirect("two_factor_enrol")  # the secret is made by showing the page, never by a POST
    device = twofactor.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.confirm(request.user, form.cleaned_data["code"])
        if codes is not None:
            request.session.pop(twofactor.PENDING, None)
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
        form.add_error("code", _("This code is wrong. Check your app's clock and enter the current code."))
    context = {"form": form, "qr": twofactor.qr_data_uri(device), "secret": twofactor.secret_text(device)}
    return render(request, "accounts/two_factor_enrol.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    if not twofactor.has_device(request.user):
        return redirect("home")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.verify(request.user, form.cleaned_data["code"]):
            request.session.pop(twofactor.PENDING, None)
            request.session.cycle_key()
            return redirect(request.GET.get("next") or "home")
        form.add_error("code", _("This code is wrong or was already used. Wait for a new code and try again."))
    return render(request, "accounts/two_factor_verify.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def two_factor_recovery_codes(request):
    if not twofactor.has_device(request.user):
        return redirect("two_factor")
    return render(request, "accounts/recovery_codes.html", {"codes": twofactor.new_recovery_codes(request.user)})


@login_required
@require_POST
def two_factor_disable(request):
    if twofactor.must_enrol(request.user, required=settings.TWO_FACTOR_REQUIRED):
        messages.error(request, _("Coordinators must keep two-factor sign-in."))
    else:
        twofactor.disable(request.user)
        messages.success(request, _("Two-factor sign-in is off."))
    return redirect("two_factor")


# --- API tokens (the owner's page) ---------------------------------------------------------------


@login_required
@require_GET
def token_list(request):
    return render(request, "accounts/tokens.html", {"tokens": tokens.tokens_of(request.user)})


@login_required
@require_POST
def token_revoke(request, key):
    deleted, _rows = AuthToken.objects.filter(user=request.user, token_key=key).delete()
    if deleted:
        messages.success(request, _("Token revoked."))
    return redirect("token_list")
