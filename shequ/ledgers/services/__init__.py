"""Every act of the specialised ledgers, each in one transaction with its change-log entry."""

from shequ.ledgers.services.correction import RULE, enrol, grade, quarter_grade, sign_in, summary  # noqa: F401
from shequ.ledgers.services.mediation import (  # noqa: F401
    conclude,
    follow_up,
    for_case,
    ledger_workbook,
    record_mediation,
)
from shequ.ledgers.services.relief import (  # noqa: F401
    TRANSITIONS,
    case_summary,
    change_status,
    generate_month,
    in_force,
    ledger,
    open_case,
    record_payment,
    roster,
    roster_workbook,
)
from shequ.ledgers.services.relief import ledger_workbook as relief_ledger_workbook  # noqa: F401
