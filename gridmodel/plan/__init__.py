"""`gridmodel plan`: the least-cost sizes of flexibility options over the chronological year
(docs/plan.md). options: what may be sized and what it costs; linear: the window model's
dependence on the sizes, as block LPs with the sizes as columns; benders: the investment
master and its cuts; report: plan.json / plan.csv / sheet / plot and the verification case.
"""
