"""Facebook's platform callbacks: deauthorize, data deletion, and the deletion status page.

Facebook POSTs a signed_request to these URLs when a person removes the app or asks for
their data to be deleted (Facebook's callback docs). They are exempt from CSRF because
Facebook, not a browser of this site, posts them; the HMAC signature with the app secret is
their only authentication, checked before anything else.
"""

import logging
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import signals
from .models import DataDeletionRequest, FacebookAccount, facebook_id_digest
from .signed_request import SignedRequestError, parse_signed_request

logger = logging.getLogger(__name__)

FACEBOOK_ID_RE = re.compile(r"^[0-9]{1,32}$")


def verified_user_id(request: HttpRequest) -> tuple[dict[str, Any], str]:
    """The app-scoped user id of a verified signed_request; SignedRequestError otherwise."""
    payload = parse_signed_request(request.POST.get("signed_request"))
    user_id = payload.get("user_id")
    if not isinstance(user_id, str) or not FACEBOOK_ID_RE.match(user_id):
        raise SignedRequestError("user_id missing")
    return payload, user_id


def refused(error: SignedRequestError) -> JsonResponse:
    logger.warning("Facebook callback refused: %s", error)
    return JsonResponse({"error": "invalid signed_request"}, status=400)


@csrf_exempt
@require_POST
def deauthorize(request: HttpRequest) -> JsonResponse:
    """The person removed the app: forget the token, mark the link; they can connect again."""
    try:
        _, user_id = verified_user_id(request)
    except SignedRequestError as error:
        return refused(error)
    account = FacebookAccount.objects.select_related("user").filter(facebook_id=user_id).first()
    if account is not None:
        FacebookAccount.objects.filter(pk=account.pk).update(
            access_token="", token_expires_at=None, deauthorized_at=timezone.now()
        )
        signals.facebook_user_deauthorized.send(
            sender=type(account.user), user=account.user, request=request, facebook_account=account
        )
    return JsonResponse({"success": True})


@csrf_exempt
@require_POST
def data_deletion(request: HttpRequest) -> JsonResponse:
    """Delete what the site holds from Facebook for the person; answer url + confirmation code.

    What is deleted (the privacy page says so): the account link with Facebook's copy of the
    name, email and picture, and the token. The site account itself stays; its owner can ask
    for its deletion. The same signed request sent twice is one deletion with one code.
    """
    try:
        payload, user_id = verified_user_id(request)
    except SignedRequestError as error:
        return refused(error)
    with transaction.atomic():
        deletion, created = DataDeletionRequest.objects.get_or_create(
            facebook_id_digest=facebook_id_digest(user_id), issued_at=payload["issued_at"]
        )
        if created:
            accounts = list(
                FacebookAccount.objects.select_related("user").filter(facebook_id=user_id)
            )
            for account in accounts:
                account.delete()
                signals.facebook_data_deleted.send(
                    sender=get_user_model(), user=account.user, request=request
                )
            deletion.accounts_deleted = len(accounts)
            deletion.save(update_fields=["accounts_deleted"])
    status_url = reverse("facebook:data_deletion_status", args=[deletion.confirmation_code])
    return JsonResponse(
        {
            "url": request.build_absolute_uri(status_url),
            "confirmation_code": deletion.confirmation_code,
        }
    )


@require_GET
def data_deletion_status(request: HttpRequest, confirmation_code: str) -> HttpResponse:
    """The public status page of a deletion request: its code, date and state, nothing else."""
    deletion = get_object_or_404(DataDeletionRequest, confirmation_code=confirmation_code)
    return render(request, "django_facebook/data_deletion_status.html", {"deletion": deletion})
