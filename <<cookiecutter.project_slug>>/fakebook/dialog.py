"""The login dialog (www.facebook.com/{version}/dialog/oauth), played offline.

GET shows a page like Facebook's: one "Continue as <name>" button per test user, a box to
untick for each permission asked (public_profile cannot be declined) and a "Cancel" button,
working without JavaScript. Each person grants the permissions asked for but those unticked
and those they always decline. As on Facebook, the dialog remembers each person's answers:
a permission declined before is not asked again unless the site adds auth_type=rerequest
(then "Continue as <name>, sharing <permissions>" shares them after all), and the new
token carries every permission granted before (incremental authorization).

POST answers like Facebook does (Facebook's login flow docs): a redirect to redirect_uri with
a single-use code and the state, or with error=access_denied when the person cancels. The
dialog's parameters stay in the form's action URL, so the POST sees exactly what the GET saw.

The page also has a "Simulate a failure" form that injects a fault (see faults.py) for the
Graph calls the site makes after the redirect.
"""

from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import errors, faults, store
from .facebook_app import app_id, app_name
from .users import USERS, get_user

URL_BLOCKED = (
    "URL Blocked: This redirect failed because the redirect URI is not whitelisted in the "
    "app's Client OAuth Settings. Make sure Client and Web OAuth Login are on and add all "
    "your app domains as Valid OAuth Redirect URIs."
)


@dataclass(frozen=True)
class DialogRequest:
    """The dialog's query parameters (Facebook's login flow docs)."""

    client_id: str
    redirect_uri: str
    state: str
    scopes: tuple
    response_type: str
    return_scopes: bool
    # "rerequest": ask again for permissions the person declined before; without it, as on
    # Facebook, the dialog does not ask for them again.
    auth_type: str

    @classmethod
    def from_query(cls, query):
        raw_scope = query.get("scope", "").replace(",", " ")
        return cls(
            client_id=query.get("client_id", ""),
            redirect_uri=query.get("redirect_uri", ""),
            state=query.get("state", ""),
            scopes=tuple(dict.fromkeys(raw_scope.split())),
            response_type=query.get("response_type", ""),
            return_scopes=query.get("return_scopes", "").lower() == "true",
            auth_type=query.get("auth_type", ""),
        )

    def problem(self):
        """(title, message) of the error page Facebook would show instead, or None."""
        if self.client_id != app_id():
            return "Invalid App ID", "The provided app ID does not look like a valid app ID."
        if not _acceptable_redirect_uri(self.redirect_uri):
            return "URL Blocked", URL_BLOCKED
        if self.response_type not in ("", "code"):
            return (
                "Unsupported response_type",
                f"The offline stand-in plays the server-side code flow only; "
                f"response_type={self.response_type} is not supported.",
            )
        return None


def _acceptable_redirect_uri(uri):
    """An absolute http(s) URL; with FAKEBOOK_VALID_REDIRECT_URIS set, one of those exactly.

    The setting plays Strict Mode's list of Valid OAuth Redirect URIs (Facebook's login
    security docs); without it any absolute URL is accepted, since the stand-in cannot know
    the site's address.
    """
    if not uri or any(char.isspace() or ord(char) < 32 for char in uri):
        return False
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    allowed = getattr(settings, "FAKEBOOK_VALID_REDIRECT_URIS", None)
    return allowed is None or uri in allowed


def add_query(url, parameters):
    """`url` with `parameters` appended to its query string (whether it has one or not)."""
    parts = urlsplit(url)
    extra = urlencode(parameters)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query, fragment=""))


@never_cache
@require_http_methods(["GET", "POST"])
def dialog(request, version):
    """The login dialog: the page (GET), and the person's answer (POST); in the language of
    its `locale` parameter when it has one the site speaks, as Facebook's is."""
    language = _language_of(request.GET.get("locale", ""))
    if language is None:
        return _dialog(request, version)
    with translation.override(language):
        response = _dialog(request, version)
    response["Content-Language"] = language
    return response


# Facebook locales whose language code is not their first part, lower-cased.
_LOCALE_LANGUAGES = {"pt_BR": "pt-br", "zh_CN": "zh-hans"}


def _language_of(locale):
    """The site's language for a Facebook locale (ll_CC: "de_DE"), or None if it has none."""
    code = _LOCALE_LANGUAGES.get(locale, locale.split("_")[0].lower())
    return code if code and code in dict(settings.LANGUAGES) else None


def _dialog(request, version):
    dialog_request = DialogRequest.from_query(request.GET)
    problem = dialog_request.problem()
    if problem:
        return _error_page(request, *problem)
    if request.method == "POST":
        return _answer(request, dialog_request)
    requested = dialog_request.scopes or ("public_profile",)
    rerequest = dialog_request.auth_type == "rerequest"
    choices = []
    for user in USERS:
        granted = _granted(user, dialog_request, set(requested))
        choices.append(
            {
                "user": user,
                "granted": granted,
                "declined": sorted(set(requested) - granted),
                "rerequest": rerequest,
            }
        )
    response = render(
        request,
        "fakebook/dialog.html",
        {
            "app_name": app_name(),
            "version": version,
            "action": request.get_full_path(),
            "requested": requested,
            "optional": [scope for scope in requested if scope != "public_profile"],
            "choices": choices,
            "redirect_uri": dialog_request.redirect_uri,
            "fault_kinds": faults.KINDS.items(),
            "fault_endpoints": ("*", *faults.ENDPOINTS),
            "pending_faults": faults.pending(),
        },
    )
    response["x-fb-trace-id"] = errors.new_trace_id()
    return response


def _answer(request, dialog_request):
    back_here = HttpResponseRedirect(request.get_full_path())
    if "fault_kind" in request.POST:
        try:
            faults.inject(request.POST.get("fault_endpoint", "*"), request.POST["fault_kind"])
        except ValueError as error:
            return _error_page(request, "Unknown fault", str(error))
        return back_here
    if "clear_faults" in request.POST:
        faults.clear()
        return back_here
    state = {"state": dialog_request.state} if dialog_request.state else {}
    if "cancel" in request.POST:
        cancelled = {
            "error": "access_denied",
            "error_code": "200",
            "error_description": "Permissions error",
            "error_reason": "user_denied",
            **state,
        }
        return HttpResponseRedirect(add_query(dialog_request.redirect_uri, cancelled))
    # "Continue as X, sharing ...": on a re-request, the person grants what they declined.
    sharing = "share_all" in request.POST and dialog_request.auth_type == "rerequest"
    user = get_user(request.POST.get("user_id") or request.POST.get("share_all", ""))
    if user is None:
        return _error_page(request, "Unknown user", "Choose one of the test users.")
    requested = set(dialog_request.scopes)
    unticked = (
        requested - set(request.POST.getlist("grant")) if "choosing" in request.POST else set()
    )
    granted = _granted(user, dialog_request, requested, unticked, sharing)
    previously_granted, previously_declined = store.decisions(user.id)
    store.record_decisions(
        user.id, previously_granted | granted, previously_declined | (requested - granted)
    )
    granted |= previously_granted
    code = store.create_code(
        dialog_request.client_id, dialog_request.redirect_uri, user.id, sorted(granted)
    )
    answer = {"code": code}
    if dialog_request.return_scopes:
        answer["granted_scopes"] = ",".join(sorted(granted))
        answer["denied_scopes"] = ",".join(sorted(requested - granted))
    return HttpResponseRedirect(add_query(dialog_request.redirect_uri, {**answer, **state}))


def _granted(user, dialog_request, requested, unticked=frozenset(), sharing=False):
    """What `user` grants of `requested` in this dialog: all but the unticked ones, those
    they always decline (unless sharing them on a re-request), and, without auth_type=
    rerequest, those they declined before. public_profile is always granted."""
    declined = set(unticked)
    if not sharing:
        declined |= user.declines
    if dialog_request.auth_type != "rerequest":
        declined |= store.decisions(user.id)[1]
    return {"public_profile", *requested} - (declined - {"public_profile"})


def _error_page(request, title, message):
    response = render(
        request,
        "fakebook/dialog_error.html",
        {"title": title, "message": message, "app_name": app_name()},
        status=400,
    )
    response["x-fb-trace-id"] = errors.new_trace_id()
    return response
