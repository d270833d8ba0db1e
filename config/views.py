from django.http import JsonResponse
from django.shortcuts import render


def landing(request):
    """The front page: where the docs, the admin and the demo instructions are."""
    return render(request, "landing.html")


def api_not_found(request):
    """Unknown URLs under /api/ answer JSON (Kanka's unknown-route body), never HTML."""
    return JsonResponse({"error": "Page not found"}, status=404)
