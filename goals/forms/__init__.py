"""Page forms, one module per topic. They only parse types; every rule lives in the services.

A service's DomainError is mapped back onto these forms with `PageForm.show_errors`, so a
rule is written once and reads the same on a page and in the API. Import a form from its
topic module; nothing is re-exported here:

- common: the renderer, `PageForm`, date and measure fields, and helpers shared by all forms
- accounts: signing in, password reset and new password, accepting an invitation
- organizations: organisations, products, invitations, members and roles, the chain's filter
- goals: goals, the goals they serve, agreements, key results
- boards: the vision board, quality checks, roadmap timeframes, the as-you-type draft
- reviews: check-ins, the review schedule, retrospectives, sprint verdicts
- conversations: comments, insights, feedback rounds and answers, notification preferences
"""
