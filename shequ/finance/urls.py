from django.urls import path

from shequ.finance import views

app_name = "finance"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("funds/", views.funds, name="funds"),
    path("spending/", views.spending_list, name="spending-list"),
    path("spending/new/", views.SpendingCreate.as_view(), name="spending-create"),
    path("spending/<int:pk>/correct/", views.SpendingCorrect.as_view(), name="spending-correct"),
    path("budgets/", views.budget_list, name="budget-list"),
    path("budgets/<int:pk>/", views.budget_detail, name="budget-detail"),
    path("budgets/<int:pk>/status/", views.budget_move, name="budget-move"),
    path("budgets/<int:pk>/items/", views.BudgetItemAdd.as_view(), name="budget-item"),
    path("allocations/", views.allocation_list, name="allocation-list"),
    path("allocations/new/", views.AllocationCreate.as_view(), name="allocation-create"),
    path("allocations/<int:pk>/reverse/", views.AllocationReverse.as_view(), name="allocation-reverse"),
    path("rules/", views.rule_list, name="rule-list"),
    path("rules/new/", views.RuleCreate.as_view(), name="rule-create"),
    path("rules/<int:pk>/apply/", views.rule_apply, name="rule-apply"),
    path("tasks/", views.task_money, name="task-money"),
    path("tasks/<int:pk>/pay/", views.TaskPay.as_view(), name="task-pay"),
    path("tasks/<int:pk>/people/", views.ProvisionCreate.as_view(), name="provision-create"),
    path("close/", views.CloseYear.as_view(), name="close-year"),
    path("awards/", views.award_list, name="award-list"),
    path("awards/schemes/new/", views.SchemeCreate.as_view(), name="scheme-create"),
    path("awards/rounds/new/", views.RoundCreate.as_view(), name="round-create"),
    path("awards/rounds/<int:pk>/", views.round_detail, name="round-detail"),
    path("awards/rounds/<int:pk>/apply/", views.RoundApply.as_view(), name="round-apply"),
    path("awards/rounds/<int:pk>/eligible/", views.round_eligible, name="round-eligible"),
    path("awards/rounds/<int:pk>/close/", views.round_close, name="round-close"),
    path(
        "awards/applications/<int:pk>/review/", views.ApplicationReview.as_view(), name="application-review"
    ),
    path("awards/applications/<int:pk>/award/", views.ApplicationAward.as_view(), name="application-award"),
]
