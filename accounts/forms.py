from __future__ import annotations

from django import forms


class AccountForm(forms.Form):
    label = forms.CharField(max_length=100, required=False)
    email = forms.EmailField()
    password = forms.CharField(widget=forms.PasswordInput(render_value=False))
