"""Registration forms of the built-in backend."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class UniqueEmailMixin:
    """Require an email that no account has yet (case-insensitive)."""

    def clean_email(self):
        email = self.cleaned_data["email"]
        if get_user_model()._default_manager.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this email address exists already."), code="duplicate_email"
            )
        return email


class UsernameCheckedOnce:
    """Skip the model's exact-match uniqueness check of the username that ModelForm runs: the
    form checks the username without case already (one query instead of two), and the
    database's unique index stays the last word. The username's other checks all run."""

    def validate_unique(self):
        # ModelForm.validate_unique, with the username left out of the unique checks only.
        exclude = {*self._get_validation_exclusions(), self._meta.model.USERNAME_FIELD}
        try:
            self.instance.validate_unique(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)


class FacebookRegistrationFormUniqueEmail(UsernameCheckedOnce, UniqueEmailMixin, UserCreationForm):
    """Manual sign-up: username, email, password twice (Django Facebook's form name)."""

    email = forms.EmailField(label=_("Email"), max_length=254)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")


class FacebookProfileForm(UsernameCheckedOnce, UniqueEmailMixin, forms.ModelForm):
    """A Facebook sign-up: the username and email, checked as for a manual sign-up.

    The user gets no usable password: Facebook is how they log in, until they set one.
    """

    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("Account messages are sent here."),
    )

    class Meta:
        model = get_user_model()
        fields = ("username", "email")

    def clean_username(self):
        """Refuse a username that differs from a taken one only by case, as sign-up does."""
        username = self.cleaned_data["username"]
        if self._meta.model._default_manager.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                _("A user with that username already exists."), code="unique"
            )
        return username

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user
