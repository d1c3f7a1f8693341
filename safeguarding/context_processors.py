from django.conf import settings


def product(request):
    """The product name and, where the page belongs to one, the school's name for the header."""
    school = getattr(request, "school", None)
    trust = getattr(request, "trust", None)
    return {
        "product_name": settings.PRODUCT_NAME,
        "header_organisation": school.name if school else (trust.name if trust else ""),
    }
