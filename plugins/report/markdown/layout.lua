-- The seed's report template (report.md) and the long timeline's appendix, as Mustache
-- templates rendered by pm.template.render over the plugin's view (init.lua), the same
-- mechanism as an organisation's own `template`. Every string in the view is Markdown text
-- already (pm.mdtext), so the templates hold only layout: {{x}} is not escaped again.
-- A section tag alone on its line leaves no line behind.
local M = {}

-- The timeline table (table_rows) and the note on the rows outside table_window.
local TABLE = [==[
| Time | Event | Source | Actor |
|----------|-------|--------|-------|
{{#table_rows}}
| {{time}} | {{event}} | {{source}} | {{actor}} |
{{/table_rows}}
{{#outside_note}}

{{.}}
{{/outside_note}}
]==]

M.report = [==[
# {{header.title}}

**Date**: {{header.date}}
**Duration**: {{header.duration}}
**Severity**: {{header.severity}}
**Authors**: {{header.authors}}
**Reviewed**: {{header.reviewed}}
{{#header.distributed}}
**Distributed**: {{.}}
{{/header.distributed}}
{{#header.follow_up}}
**Follow-up review**: {{.}}
{{/header.follow_up}}

## Summary

{{summary}}

## Impact

{{#impact_lines}}
- {{.}}
{{/impact_lines}}
{{^impact_lines}}
- not recorded
{{/impact_lines}}

## Root Cause

{{root_cause}}

## Timeline (all times UTC)

{{#long_timeline}}
{{intro}}

{{#moments}}
**Key moments**: {{.}}

{{/moments}}
{{/long_timeline}}
]==] .. TABLE .. [==[

## Contributing Factors

### Immediate Cause
{{#immediate}}
- {{.}}
{{/immediate}}
{{^immediate}}
- none identified
{{/immediate}}

### Contributing Factors
{{#contributing}}
{{n}}. {{#labelled}}**{{label}}**: {{/labelled}}{{text}}
{{/contributing}}
{{^contributing}}
- none identified
{{/contributing}}

### Systemic Issues
{{#systemic}}
- {{.}}
{{/systemic}}
{{^systemic}}
- none identified
{{/systemic}}
{{#causal_graph_shown}}

### Causal Graph

{{causal_graph}}
{{/causal_graph_shown}}

## Action Items

| ID | Action | Owner | Deadline | Priority |
|----|--------|-------|----------|----------|
{{#action_rows}}
| {{id}} | {{action}} | {{owner}} | {{deadline}} | {{priority}} |
{{/action_rows}}

## What Went Well

{{#went_well}}
- {{.}}
{{/went_well}}
{{^went_well}}
- not recorded
{{/went_well}}

## Lessons Learned

{{#lessons}}
- {{.}}
{{/lessons}}
{{^lessons}}
- not recorded
{{/lessons}}

## Prevention

See Action Items above.
{{#has_recurrence}}

## Recurrence

{{#recurrence_lines}}
- {{.}}
{{/recurrence_lines}}
{{/has_recurrence}}
{{#has_gaps}}

## Data Gaps

{{#gap_lines}}
- {{.}}
{{/gap_lines}}
{{/has_gaps}}
{{#has_validation}}

## Validation

{{#checks}}
- [{{mark}}] {{line}}{{#pending}} (pending){{/pending}}
{{/checks}}
{{/has_validation}}
]==]

M.appendix = [==[
# Timeline: {{header.title}}

All {{appendix.count}} rows of the timeline of [{{appendix.report}}]({{appendix.report_href}}) (all times UTC).

]==] .. TABLE

return M
