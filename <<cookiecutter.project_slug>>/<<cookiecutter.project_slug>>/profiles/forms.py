"""userena's forms as the site shows them."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from userena import forms as userena_forms

MUGSHOT_MAX_BYTES = 5 * 1024 * 1024
MUGSHOT_TYPES = "image/jpeg,image/png,image/gif,image/webp"


class SigninForm(userena_forms.AuthenticationForm):
    """userena's sign-in (a username or an email address, a password, "remember me").

    Its first field is named `username`, as in Django's login form, rather than userena's
    `identification`: password managers, scripts and tests written for Django's login page
    work here too. userena's view still reads `identification` from the cleaned data.
    """

    fields: dict[str, forms.Field]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = dict(self.fields)
        username = fields.pop("identification")
        username.widget.attrs.update({"autocomplete": "username", "autofocus": True})
        fields["password"].widget.attrs["autocomplete"] = "current-password"
        self.fields = {"username": username, **fields}

    def clean(self):
        self.cleaned_data["identification"] = self.cleaned_data.get("username")
        return super().clean()


class ChangeEmailForm(userena_forms.ChangeEmailForm):
    """userena's email change, its new address in an email input (type="email", the phone's
    email keyboard, the browser's own check) rather than userena's plain text one."""

    email = forms.EmailField(
        label=_("New email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class MugshotInput(forms.ClearableFileInput):
    """The mugshot field shows the mugshot itself (through the site's mugshot view; the
    storage's file URLs are not served)."""

    template_name = "profiles/mugshot_input.html"


class EditProfileForm(userena_forms.EditProfileForm):
    """userena's profile form (first and last name, then the profile's fields), with the
    mugshot shown as a picture and uploads of at most 5 MB."""

    class Meta(userena_forms.EditProfileForm.Meta):
        widgets = {"mugshot": MugshotInput(attrs={"accept": MUGSHOT_TYPES})}

    def clean_mugshot(self):
        mugshot = self.cleaned_data.get("mugshot")
        if mugshot and getattr(mugshot, "size", 0) > MUGSHOT_MAX_BYTES:
            raise forms.ValidationError(
                _("Choose a picture of at most %(size)s."),
                code="file_too_large",
                params={"size": filesizeformat(MUGSHOT_MAX_BYTES)},
            )
        return mugshot
