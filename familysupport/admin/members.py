"""(placeholder until this part of the back office is written)"""

urlpatterns = []
MENU_ITEMS = []
