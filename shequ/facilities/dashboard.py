def card(request, focus_code):
    return None
