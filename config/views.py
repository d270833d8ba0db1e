from django.shortcuts import render


def landing(request):
    """The front page: where the docs, the admin and the demo instructions are."""
    return render(request, "landing.html")
