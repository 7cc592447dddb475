-- pm.blame, sentence by sentence: what blames a person and what describes a system. The
-- sentences are written in the voices of post-mortems from different kinds of teams (a
-- payments company, a university IT service, a game studio, a hospital's platform team, a
-- public-sector web team, a telco's NOC, an open-source project, a retailer's SRE group).
local blame = require "pm.blame"

-- Known people, as blame.people gives them for a report that names Priya Raman and @tomasz.
local KNOWN = blame.people {
  incident = { people = { ["@tomasz"] = { "Tomasz" }, ["@priya"] = { "Priya Raman" } } },
  action_items = { { owner = "Platform team" }, { owner = "kofi@example.org" } },
}

-- { sentence, rule } : the rule the sentence breaks.
local BLAMING = {
  -- words that blame on their own
  { "The root cause was human error during the certificate rotation.", "human error" },
  { "Human error in not realising the audit logs lived in the old subscription.", "human error" },
  { "Support closed the tickets as user error for the first two hours.", "user error" },
  { "This was classic operator error: the wrong cluster context was selected.", "operator error" },
  { "Call it pilot error if you like, but the change went out at 17:55 on a Friday.", "pilot error" },
  { "A careless copy-paste of the connection string took the ledger offline.", "careless" },
  { "The config was carelessly edited in production.", "careless" },
  { "There was negligence in how the backup job was handed over.", "negligen" },
  { "The vendor's engineers were frankly incompetent.", "incompeten" },
  { "Sloppy review let the migration through.", "sloppy" },
  { "It was the fault of the release manager, who was rushing to make the cut-off.", "fault of" },
  { "Ultimately this was Marcus's fault.", "'s fault" },
  { "The 40 minutes of downtime were due to Jonas's mistake with the DNS record.", "'s mistake" },
  { "A mistake by the night operator detached the volume.", "mistake by" },
  { "There was a lack of care on the part of the deployer.", "on the part of" },
  -- blame with a person named
  { "The DBA was blamed for the slow queries, although the ORM generated them.", "blame" },
  { "Management blamed @tomasz for the missed SLA.", "blame" },
  -- a person as the agent of a strong phrase
  { "The on-call engineer forgot to silence the maintenance alerts.", "forgot" },
  { "Ana forgot to drain the node before rebooting it.", "forgot" },
  { "Kofi Mensah had forgotten about the cron job on the old host.", "forgot" },
  { "She neglected to update the runbook after the migration.", "neglected" },
  { "The developer ignored the failing canary alerts and promoted the build.", "ignored" },
  { "Lena, the SRE on duty, ignored the disk space warning.", "ignored" },
  { "An engineer didn't follow the documented rollback procedure.", "did not follow" },
  { "The reviewer did not check the migration against the production schema.", "did not" },
  { "The contractor failed to test the firmware update on a staging router.", "failed to" },
  { "Our intern mistakenly ran the cleanup script against production.", "mistakenly" },
  { "Dmitri made a mistake when copying the IAM policy.", "made a mistake" },
  { "The author of the change should have known that the flag was shared.", "should have known" },
  { "Someone pushed the hotfix straight to main without review.", "without" },
  { "The administrator deleted the shared drive by mistake.", "by mistake" },
  { "Jake rotated the signing key without asking the release team.", "without" },
  { "Mark truncated the live ledger table instead of the test copy.", "instead of" },
  { "He ran the cleanup command against the wrong cluster.", "the wrong" },
  { "QA failed to catch the broken redirect.", "failed to" },
  { "The release engineer skipped the canary stage to save time.", "skipped" },
  { "10:42 John (on call) failed to notice the disk alert", "failed to" },
  { "The developer pushed a bad config to the edge proxies.", "pushed a bad change" },
  { "Tomasz deployed an untested build on Friday evening.", "pushed a bad change" },
  { "The SRE on duty failed to escalate the incident.", "failed to" },
  { "The reviewer should have caught the missing index.", "should have" },
  { "An operator accidentally ran the purge job in production.", "accidentally" },
  { "The intern dropped the production table by accident.", "by mistake" },
  { "The admin who created the shared inbox never added a backup reader.", "never" },
  { "Frankly, PEBKAC: the vendor typed the wrong tenant ID.", "pebkac" },
  { "Lina to be more careful with DNS changes", "be more careful" },
  { "The engineer who ran the migration forgot to disable the trigger.", "forgot" },
  { "A fat-fingered command removed the route table.", "fat[%- ]finger" },
  { "The disk alert was ignored by the on-call engineer for an hour.", "ignored" },
  { "The rollback runbook was not followed by the deployer.", "did not follow" },
  { "The treasury team renamed the export file without telling anyone downstream.", "without" },
  { "Priya overlooked the warning in the Terraform plan.", "overlooked" },
  { "He misread the dashboard and scaled the wrong pool.", "misread" },
  -- a definite person and a weak phrase
  { "@tomasz caused the outage by merging an untested change.", "caused" },
  { "The developer broke the checkout page with a CSS change.", "broke" },
  { "Tomasz should have tested the migration on a copy of the data.", "should have" },
  { "A team member accidentally deleted the production bucket.", "accidentally" },
  { "The on-call failed to acknowledge the page for 25 minutes.", "failed to" },
  { "The outage was caused by a developer pushing a bad config.", "caused by" },
  { "The staging environment was broken by an engineer running the wrong playbook.", "caused by" },
  { "A teammate accidentally merged the feature branch into release.", "accidentally" },
  { "The junior DBA misconfigured the replica's memory settings.", "misconfigured" },
  { "The deployer was responsible for the outage.", "responsible for" },
  { "Kofi missed the alert because he was in a meeting.", "missed" },
  { "The engineer on call did not respond to three pages.", "did not" },
}

-- Sentences that are not findings, each with why.
local NOT_BLAMING = {
  { "Thanks to Ana, the rollback finished within four minutes.", "gratitude" },
  { "The team decided to fail over to the secondary region.", "a team deciding" },
  { "The on-call engineer mitigated it by rolling back to v2.3.0.", "mitigation" },
  { "The on-call engineer paged the database team at 03:12.", "paging" },
  { "The engineer noticed the error rate climbing on the dashboard.", "noticing" },
  { "Ana caused the alert to be acknowledged in PagerDuty.", "caused, but no fault" },
  { "The deploy caused a spike in 502 errors.", "a deploy is a system" },
  { "A bug in the retry logic caused the queue to back up.", "a bug is a system" },
  { "The service failed to start after the kernel upgrade.", "a service" },
  { "Three nodes failed to join the cluster after the AMI change.", "nodes" },
  { "Kubernetes failed to schedule the pods.", "a system name" },
  { "Redis broke under the load of the batch job.", "a system name" },
  { "Deploy caused the cache to be flushed.", "sentence-initial system word" },
  { "This post-mortem is blameless.", "denial" },
  { "No one is to blame for the gaps in our tooling.", "denial" },
  { "We don't blame individuals; we look at the system.", "denial" },
  { "This was not human error: the runbook pointed at the wrong cluster.", "negation" },
  { "Support assumed user error for the first hour.", "a hypothesis" },
  { "We ruled out human error early on.", "a hypothesis ruled out" },
  { "Avoid phrases such as \"human error\" in the summary.", "quoted template text" },
  { "Write the cause, e.g. 'a missing guard rail', never 'human error'.", "single-quoted template text" },
  { "The alert `user error ratio` fired at 10:02.", "code" },
  { "The incident was first blamed on DNS.", "blaming a system" },
  { "Requests failed to reach the pods because the ingress had no endpoints.", "traffic" },
  { "Every service should have an owner listed in the catalogue.", "a repository" },
  { "They forgot to renew the certificate.", "they is often a team" },
  { "We forgot to renew the certificate.", "we is the team" },
  { "If someone forgets to drain a node, the deploy waits forever.", "a conditional" },
  { "The Prometheus operator failed to reconcile the new rules.", "an operator is a system" },
  { "The operator failed to reconcile the ServiceMonitor.", "a bare operator with a weak phrase" },
  { "Terraform ignored the lifecycle block on the instance.", "a system ignores a setting" },
  { "The scheduler ignored the taint on the new nodes.", "after an article" },
  { "It's fault tolerant by design, so one zone going down is fine.", "it's fault tolerant" },
  { "Nobody's fault: the library changed its default in a minor release.", "denial" },
  { "The alert was acknowledged by the on-call engineer at 10:08.", "acknowledged by" },
  { "The regression was caused by the upgrade to OpenSSL 3.", "caused by a system" },
  { "Priya rolled back the change and the error rate dropped.", "neutral action" },
  { "The feature flag had been switched on accidentally during the import.", "no agent" },
  { "The failover script should have waited for the replica to catch up.", "a script" },
  { "Engineers should ensure the pipeline has passed before merging.", "generic guidance" },
  { "A fault in the storage controller caused the outage.", "a fault in a thing" },
  { "The job retried the upload without waiting for the lock.", "a job, not a person" },
  { "The autoscaler terminated the wrong node.", "a system" },
  { "The pipeline skipped the tests because the cache was warm.", "a pipeline" },
  { "QA failed to deploy because the environment was down.", "the QA environment" },
  { "The team migrated the queue to SQS instead of Kafka.", "a team's choice" },
  { "During the drill the operator error gauge climbed to 40.", "a metric's name" },
  { "User error rates on the login page doubled after the release.", "a metric's name" },
  { "The pipeline deployed a broken image to staging.", "a pipeline" },
  { "Jake pushed a bad config.", "an unknown name with a phrase systems share (Jenkins pushed a bad config)" },
  { "The developer who was on call restarted the pods.", "neutral action" },
  { "Engineers ignored the alerts because 90% of them were noise.", "engineers in general, not a person" },
  { "Tomasz approved the pull request without any automated checks running.", "the checks were missing" },
  { "The system should have rejected the request.", "a system" },
  { "The health check failed to detect the degraded state.", "a health check" },
  { "The job never completed because the lock was held.", "a job" },
  { "We need to be more careful with hand-issued tokens.", "we are the team" },
  { "Traefik never reloaded the new routes.", "a system with a weak phrase" },
  { "Our blame-free review meant the developer could explain the change openly.", "blame-free" },
  { "The duplicate alert was ignored by Alertmanager's inhibition rule.", "a system" },
  { "Our team forgot to renew the certificate.", "the authors' own team" },
  { "The team skipped the canary because the pipeline marked it optional.", "a bare team" },
  { "The platform team failed to reconcile the budgets in time.", "a team with a weak phrase" },
  { "Tomasz escalated to the network team, who found the broken route.", "neutral action" },
}

describe("pm.blame.judge", function()
  it("finds each blaming sentence and names its rule", function()
    local wrong = {}
    for _, case in ipairs(BLAMING) do
      local rule = blame.judge(case[1], KNOWN)
      if rule ~= case[2] then wrong[#wrong + 1] = ("%s -> %s, not %s"):format(case[1], tostring(rule), case[2]) end
    end
    assert.same({}, wrong)
    assert.truthy(#BLAMING >= 40)
  end)

  it("leaves each systems, neutral or denying sentence alone", function()
    local wrong = {}
    for _, case in ipairs(NOT_BLAMING) do
      local rule = blame.judge(case[1], KNOWN)
      if rule then wrong[#wrong + 1] = ("%s (%s) -> %s"):format(case[1], case[2], rule) end
    end
    assert.same({}, wrong)
    assert.truthy(#NOT_BLAMING >= 40)
  end)

  it("knows a known name as it is written: 'Will', not 'will'", function()
    local known = blame.people { incident = { people = { ["@will"] = { "Will" } } } }
    assert.equals("caused", blame.judge("Will caused the outage.", known))
    assert.is_nil(blame.judge("A retry storm will caused an outage, we feared.", known))
    assert.equals("blame", blame.judge("Management blamed Will.", known))
    assert.is_nil(blame.judge("Management will blame the vendor.", known))
  end)

  it("counts an unknown capitalised name only with a phrase only people do", function()
    assert.equals("forgot", blame.judge("Marta forgot to rotate the key.", {}))
    assert.is_nil(blame.judge("Marta caused the outage.", {}))
    assert.equals("caused", blame.judge("Marta caused the outage.", blame.people {
      incident = { people = { ["@marta"] = { "Marta" } } } }))
  end)

  it("takes an organisation's own words, phrases and allowed idioms", function()
    assert.is_nil(blame.judge("Ana took a shortcut through the checklist.", KNOWN))
    assert.equals("took a shortcut", blame.judge("Ana took a shortcut through the checklist.",
      blame.people { incident = { people = { ["@ana"] = { "Ana" } } } }, { phrases = { "took a shortcut" } }))
    assert.is_nil(blame.judge("Ana took a shortcut through the checklist.", {}, { phrases = { "took a shortcut" } }))
    assert.is_nil(blame.judge("A cowboy change took the router down.", {}))
    assert.equals("cowboy", blame.judge("A cowboy change took the router down.", {}, { words = { "cowboy" } }))
    assert.is_nil(blame.judge("This was human error in the old sense.", {}, { allow = { "in the old sense" } }))
  end)
end)

describe("pm.blame.people", function()
  it("knows handles, names and first names, owners' mail names and person actors, not teams or systems", function()
    assert.same({ "priya raman", "tomasz", "priya", "kofi" }, KNOWN)
    local list = blame.people {
      timeline = { { actor = "@lena" }, { actor = "prometheus" }, { actor = "Kubernetes" }, { actor = "Jonas Berg" } },
      imported = { items = { { owner = "SRE" }, { owner = "@mei" }, { owner = "Data Platform Team" }, { owner = "Sam Okafor" } } },
    }
    assert.same({ "jonas berg", "sam okafor", "jonas", "lena", "mei", "sam" }, list)
  end)
end)

describe("pm.blame.sentences", function()
  it("splits on . ! ? but not inside versions, abbreviations or before a lower-case word", function()
    local list = blame.sentences("We rolled back to v2.3.0 at 10:40. Errors stopped, e.g. the 502s. Approx. "
      .. "five minutes later the queue drained! Was it fixed? Yes.")
    local texts = {}
    for i, s in ipairs(list) do texts[i] = s.text end
    assert.same({ "We rolled back to v2.3.0 at 10:40.", "Errors stopped, e.g. the 502s.",
      "Approx. five minutes later the queue drained!", "Was it fixed?", "Yes." }, texts)
  end)

  it("joins wrapped lines and splits list-like ones, counting line breaks before each sentence", function()
    local list = blame.sentences("The on-call engineer\nforgot to drain the node. Then\nthe pods moved.\n"
      .. "- 10:05 alert fires\n- 10:07 Ana paged\n10:09 rollback starts")
    local got = {}
    for i, s in ipairs(list) do got[i] = s.line .. ":" .. s.text end
    assert.same({ "0:The on-call engineer forgot to drain the node.", "1:Then the pods moved.",
      "3:- 10:05 alert fires", "4:- 10:07 Ana paged", "5:10:09 rollback starts" }, got)
  end)
end)

describe("pm.blame.find", function()
  it("reads an imported document's prose, timeline included, and gives each sentence its line", function()
    local data = {
      incident = { summary = "Checkout was down for 40 minutes. Human error." },
      imported = { prose = {
        { line = 3, section = "summary", text = "Checkout was down for 40 minutes. Human error." },
        { line = 12, section = "timeline", text = "10:05 Deploy of v2.3.0 starts" },
        { line = 13, section = "timeline", text = "10:20 The developer forgot to\nrun the migration." },
        { line = 20, section = "happened", text = "The cache filled.\nThe DBA was blamed\nfor it. Then it passed." },
        { line = 30, section = "lessons", text = "Human error is a symptom.\nSloppy handovers cost us." },
        { line = 35, section = "Appendix B", text = "He forgot to check." },
        { line = 40, text = "Someone forgot to check the pool." },
      } },
    }
    local found = blame.find(data)
    local got = {}
    for i, f in ipairs(found) do got[i] = ("%s|%s|%s|%s"):format(f.where, tostring(f.line), f.rule, f.sentence) end
    assert.same({
      "summary|3|human error|Human error.",
      "timeline|13|forgot|10:20 The developer forgot to run the migration.",
      "what happened|21|blame|The DBA was blamed for it.",
      "lesson|30|human error|Human error is a symptom.",
      "lesson|31|sloppy|Sloppy handovers cost us.",
      "Appendix B|35|forgot|He forgot to check.",
      "document|40|forgot|Someone forgot to check the pool.",
    }, got)
  end)

  it("reads the report's fields and knows the people it names", function()
    local found = blame.find {
      incident = { summary = "Logins failed.", people = { ["@dave"] = { "Dave" } } },
      factors = { contributing = { { text = "Dave should have tested the config.", why_chain = { "Nobody is to blame." } } } },
      what_went_well = { "Thanks to Dave the fix was quick." },
      lessons_learned = { "Sloppy handovers cost us an hour." },
    }
    local got = {}
    for i, f in ipairs(found) do got[i] = f.where .. ": " .. f.sentence .. " [" .. tostring(f.line) .. "]" end
    assert.same({ "contributing factor: Dave should have tested the config. [nil]",
      "lesson: Sloppy handovers cost us an hour. [nil]" }, got)
  end)

  it("stays linear on long text: a 300 KB paragraph and 20,000 table cells", function()
    local long = ("the developer forgot to update the config and the operator error gauge rose "):rep(4000)
    local cells = {}
    for i = 1, 20000 do
      cells[i] = { line = i, section = "timeline", text = ("event %d from worker-%d, user error rate is %d"):format(i, i, i) }
    end
    local started = os.clock()
    local found = blame.find { imported = { prose = { { line = 1, section = "happened", text = long } } } }
    assert.equals(1, #found)
    assert.same({}, blame.find { imported = { prose = cells } })
    assert.truthy(os.clock() - started < 5, "took " .. (os.clock() - started) .. " s")
  end)

  it("finds nothing in an empty or odd report", function()
    assert.same({}, blame.find {})
    assert.same({}, blame.find { incident = { summary = 42 }, imported = { prose = { "text", { line = "x" } } } })
  end)
end)
