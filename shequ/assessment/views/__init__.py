"""Pages of the assessment module: schemes (the builder picks indicators from the catalogue),
rounds (scores, grades, ranks, the figures behind each, objections), a community's own results,
creation applications and acceptance, titles, and community descriptors."""

from shequ.assessment.views.pages import *  # noqa: F403
