"""Every act of the workforce module, each in one transaction with its change-log entry."""

from shequ.workforce.services.account import link_account  # noqa: F401, E402
from shequ.workforce.services.appraisal import (  # noqa: F401, E402
    appraisal_ok,
    close_cycle,
    create_cycle,
    enter_scores,
    grade_distribution,
    step_checker,
)
from shequ.workforce.services.pay import (  # noqa: F401
    MANAGE_PAY_POLICY,
    PAY_FIELDS,
    STEP_STATUS,
    StepAdvice,
    add_contract,
    compute_base,
    contracts,
    create_scheme,
    insurance_rates,
    pay_report,
    place_grade,
    set_average_wage,
    set_insurance,
    set_pay_record,
    set_pay_table,
    step_advice,
    step_due,
    sweep_contracts,
)
from shequ.workforce.services.recognition import (  # noqa: F401, E402
    add_award,
    add_promotion,
    add_representative,
)
from shequ.workforce.services.roster import (  # noqa: F401
    MANAGE,
    MANAGE_POPULATION,
    WORKER_FIELDS,
    add_qualification,
    add_worker,
    assign_office,
    choice,
    clean_worker,
    create_training,
    end_office,
    org_for_workers,
    population_from_registry,
    record_exit,
    record_return,
    record_secondment,
    remove_imported,
    set_population,
    set_ratio,
    set_specialist_post,
    sign_in,
    specialist_posts,
    transfer_worker,
    update_worker,
)
from shequ.workforce.services.sections import (  # noqa: F401
    MANAGE_SECTIONS,
    remove_section,
    sections_of,
    set_section,
)
