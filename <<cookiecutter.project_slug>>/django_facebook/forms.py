"""Registration forms of the built-in backend, the help texts of every sign-up form, and the
login form of the systems that use Django's login view."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import AllowAllUsersModelBackend
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    MinimumLengthValidator,
    NumericPasswordValidator,
    UserAttributeSimilarityValidator,
    get_default_password_validators,
)
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .languages import recipient_language
from .types import User

if TYPE_CHECKING:
    # What the mixins below are mixed into, for the type checker only: at run time they
    # stay plain classes, so that each form's own bases decide the method order.
    FormBase = forms.BaseForm
    ModelFormBase = forms.BaseModelForm
else:
    FormBase = ModelFormBase = object

# Django's own validators, each said in a few words; any other keeps its own help text.
PASSWORD_RULES = {
    CommonPasswordValidator: gettext_lazy("not a common password"),
    NumericPasswordValidator: gettext_lazy("not only digits"),
    UserAttributeSimilarityValidator: gettext_lazy("not like your username or email address"),
}


def password_help_text(validators: Iterable[Any] | None = None) -> str:
    """The rules of AUTH_PASSWORD_VALIDATORS in one sentence a person reads at a glance.

    Django's help lists one "Your password can't..." line per validator, which reads as a
    developer's form. The sentence is made from the validators themselves, so it always
    says what is enforced: "At least 8 characters, not only digits and not a common
    password."
    """
    phrases: list[str] = []
    others: list[str] = []
    for validator in get_default_password_validators() if validators is None else validators:
        if isinstance(validator, MinimumLengthValidator):
            phrases.insert(0, _("at least %(count)d characters") % {"count": validator.min_length})
        elif type(validator) in PASSWORD_RULES:
            phrases.append(str(PASSWORD_RULES[type(validator)]))
        else:
            others.append(str(validator.get_help_text()))
    if len(phrases) > 1:
        phrases[-2:] = [_("%(first)s and %(last)s") % {"first": phrases[-2], "last": phrases[-1]}]
    sentence = [capfirst(", ".join(phrases)) + "."] if phrases else []
    return " ".join(sentence + others)


class PlainHelpTexts(FormBase):
    """Form mixin: help texts that read as a product's, not Django's defaults.

    Only the words change: the fields, their validators and AUTH_PASSWORD_VALIDATORS are the
    same. `username_allowed` says what a username may hold (Django's username validator).
    """

    username_allowed = gettext_lazy("letters, digits and the signs @ . + - _, no spaces")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        texts = {
            "password1": password_help_text(),
            "password2": _("The same password again, to be sure it is typed right."),
        }
        username = self.fields.get("username")
        max_length = getattr(username, "max_length", None)
        if max_length:
            texts["username"] = _(
                "Up to %(count)d characters: %(allowed)s. Others see it on the site."
            ) % {"count": max_length, "allowed": self.username_allowed}
        for name, text in texts.items():
            if name in self.fields:
                self.fields[name].help_text = text


class UniqueEmailMixin(FormBase):
    """Require an email that no account has yet (case-insensitive)."""

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if get_user_model()._default_manager.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this email address exists already."), code="duplicate_email"
            )
        return email


class UsernameCheckedOnce(ModelFormBase):
    """Skip the model's exact-match uniqueness check of the username that ModelForm runs: the
    form checks the username without case already (one query instead of two), and the
    database's unique index stays the last word. The username's other checks all run."""

    def validate_unique(self) -> None:
        # ModelForm.validate_unique, with the username left out of the unique checks only.
        # Both private methods are ModelForm's own (django-stubs does not list them).
        exclusions = self._get_validation_exclusions()  # type: ignore[attr-defined]
        exclude = {*exclusions, self._meta.model.USERNAME_FIELD}
        try:
            self.instance.validate_unique(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)  # type: ignore[attr-defined]


class FacebookRegistrationFormUniqueEmail(
    PlainHelpTexts, UsernameCheckedOnce, UniqueEmailMixin, UserCreationForm
):
    """Manual sign-up: username, email, password twice (Django Facebook's form name)."""

    email = forms.EmailField(label=gettext_lazy("Email"), max_length=254)

    # django-stubs 5.2 declares no UserCreationForm.Meta; Django has it.
    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined]
        model = get_user_model()
        fields = ("username", "email")


class FacebookProfileForm(PlainHelpTexts, UsernameCheckedOnce, UniqueEmailMixin, forms.ModelForm):
    """A Facebook sign-up: the username and email, checked as for a manual sign-up.

    The user gets no usable password: Facebook is how they log in, until they set one.
    """

    email = forms.EmailField(
        label=gettext_lazy("Email"),
        max_length=254,
        help_text=gettext_lazy("Account messages are sent here."),
    )

    class Meta:
        model = get_user_model()
        fields = ("username", "email")

    def clean_username(self) -> str:
        """Refuse a username that differs from a taken one only by case, as sign-up does."""
        username = self.cleaned_data["username"]
        if self._meta.model._default_manager.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                _("A user with that username already exists."), code="unique"
            )
        return username

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


class LoginForm(AuthenticationForm):
    """Django's login form, telling the owner of an account that is not active why they cannot
    log in, once they have given its right password.

    Django's ModelBackend turns an inactive user away as if the password were wrong, so its
    form says "Please enter a correct username and password" to a person who signed up and
    has not opened the activation link yet, and they try again and again. Here a login that
    failed is checked once more with AllowAllUsersModelBackend, and only when the password is
    right is the account's state told: "not active yet" while the registration backend says
    it awaits its activation, Django's "This account is inactive" else. A wrong password gets
    the usual message, active account or not, so the form tells nobody which usernames exist;
    nor does its time, as both checks hash the password whether the user exists or not
    (Django's backends run the hasher for unknown usernames too).
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "awaits_activation": gettext_lazy(
            "Your account is not active yet. Open the activation link we emailed to you, "
            "then log in."
        ),
    }

    def get_invalid_login_error(self) -> ValidationError:
        user = AllowAllUsersModelBackend().authenticate(
            self.request,
            username=self.cleaned_data.get("username"),
            password=self.cleaned_data.get("password"),
        )
        if user is None or user.is_active:
            return super().get_invalid_login_error()
        # Here, not at the top: the registration backends import this module.
        from .registration_backends import get_registration_backend

        waiting = get_registration_backend().awaits_activation(user)
        code = "awaits_activation" if waiting else "inactive"
        return ValidationError(self.error_messages[code], code=code)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's, sending each reset email in the language of its recipient's account: the
    request that asks for it may come from another person, or another browser."""

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        context = kwargs.get("context", args[2] if len(args) > 2 else {})
        with recipient_language(context.get("user")):
            super().send_mail(*args, **kwargs)
