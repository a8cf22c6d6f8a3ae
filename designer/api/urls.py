from django.urls import path

from designer.api import views

urlpatterns = []
