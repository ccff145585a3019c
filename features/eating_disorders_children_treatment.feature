Feature: Eating disorders in children and young people: assessment, clinical decision, treatment and evaluations
  "Pakkeforløp spiseforstyrrelser hos barn og unge". Deadlines in calendar days (Helsedirektoratet, forløpstider
  spiseforstyrrelser hos barn og unge:
  https://www.helsedirektoratet.no/nasjonale-forlop/spiseforstyrrelser-hos-barn-og-unge/forlopstider-spiseforstyrrelser-hos-barn-og-unge-pakkeforlop):
    first attendance → clinical decision:                       outpatient 42, inpatient 14
    clinical decision for treatment (CP, CT) → first evaluation: outpatient 28, inpatient 14
    between evaluations:                                        outpatient 42, inpatient 14
  A deadline still open when the pathway is closed is "cancelled". If the patient delays the assessment by more
  than 7 working days, the coordinator registers patient-deferred ("pasientutsatt", code L) before the decision.

  Scenario Outline: Assessment from first attendance to clinical decision
    Given a serious <setting> referral to "eating_disorders_children" was received on Monday 2026-01-05
    And the referral was assessed on Tuesday 2026-01-06 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "CP" on <decided>
    Then the "assessment" deadline started on Monday 2026-01-12
    And the "assessment" deadline is due on <due>
    And the "assessment" deadline ended on <decided>
    And the "assessment" deadline is <status>
    And there is no "assessment (<other>)" deadline

    Examples: Outpatient: 42 days
      | setting    | other     | due               | decided            | status   |
      | outpatient | inpatient | Monday 2026-02-23 | Monday 2026-02-23  | met      |
      | outpatient | inpatient | Monday 2026-02-23 | Tuesday 2026-02-24 | breached |

    Examples: Inpatient: 14 days
      | setting    | other      | due               | decided            | status   |
      | inpatient  | outpatient | Monday 2026-01-26 | Monday 2026-01-26  | met      |
      | inpatient  | outpatient | Monday 2026-01-26 | Tuesday 2026-01-27 | breached |

  Scenario: An inpatient assessment without a decision after 14 days is overdue
    Given a serious inpatient referral to "eating_disorders_children" was received on Monday 2026-01-05
    And the referral was assessed on Tuesday 2026-01-06 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When it is Monday 2026-01-26
    Then the task list shows "clinical_decision_basic" due on Monday 2026-01-26, not overdue
    When it is Tuesday 2026-01-27
    Then the "assessment" deadline is overdue
    And the task list shows "clinical_decision_basic" as overdue, due on Monday 2026-01-26

  Scenario Outline: Patient-deferred during assessment turns a late decision into "deferred", not "breached"
    Given a serious outpatient referral to "eating_disorders_children" was received on Monday 2026-01-05
    And the referral was assessed on Tuesday 2026-01-06 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the patient deferred ("pasientutsatt") was registered on Tuesday 2026-01-20
    And the clinical decision after basic assessment was "CP" on <decided>
    Then the "assessment" deadline is due on Monday 2026-02-23
    And the "assessment" deadline is <status>
    And the "first attendance (serious)" deadline is met

    Examples:
      | decided            | status   |
      | Monday 2026-02-23  | met      |
      | Tuesday 2026-03-03 | deferred |

  Scenario: Extended assessment: the assessment deadline ends at the first decision, the evaluation clock starts at the second
    Given a serious outpatient referral to "eating_disorders_children" was received on Monday 2026-01-05
    And the referral was assessed on Tuesday 2026-01-06 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "CU" on Monday 2026-01-26
    Then the "assessment" deadline is met
    And the task "clinical_decision_extended" is open
    And the task "plan_treatment" is not open
    And there is no "first evaluation" deadline
    When the clinical decision after extended assessment was "CP" on Monday 2026-03-02
    Then the "assessment" deadline has been measured once
    And the "assessment" deadline ended on Monday 2026-01-26
    And the "first evaluation" deadline has been measured once
    And the "first evaluation" deadline started on Monday 2026-03-02
    And the "first evaluation" deadline is due on Monday 2026-03-30
    And the "first evaluation" deadline is pending
    And the task "plan_treatment" is open

  Scenario Outline: First evaluation after a decision for treatment
    Given a serious <setting> referral to "eating_disorders_children" was received on Monday 2026-01-05
    And the referral was assessed on Tuesday 2026-01-06 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "<decision>" on Monday 2026-01-19
    Then the "first evaluation" deadline started on Monday 2026-01-19
    And the "first evaluation" deadline is due on <due>
    When the treatment plan was made with the patient and the parents on Monday 2026-01-19
    And the treatment was evaluated with the patient on <evaluated>, continuing treatment
    Then the "first evaluation" deadline ended on <evaluated>
    And the "first evaluation" deadline is <status>

    Examples: Outpatient: 28 days
      | setting    | decision | due               | evaluated          | status   |
      | outpatient | CP       | Monday 2026-02-16 | Monday 2026-02-16  | met      |
      | outpatient | CP       | Monday 2026-02-16 | Tuesday 2026-02-17 | breached |
      | outpatient | CT       | Monday 2026-02-16 | Friday 2026-02-13  | met      |

    Examples: Inpatient: 14 days
      | setting    | decision | due               | evaluated          | status   |
      | inpatient  | CP       | Monday 2026-02-02 | Monday 2026-02-02  | met      |
      | inpatient  | CP       | Monday 2026-02-02 | Tuesday 2026-02-03 | breached |

  Scenario Outline: A decision for other services goes to closure, with no evaluation deadline and no follow-up plan
    Given a serious <setting> referral to "eating_disorders_children" was received on Monday 2026-01-05
    And the referral was assessed on Tuesday 2026-01-06 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    When the clinical decision after basic assessment was "<decision>" on Monday 2026-01-19
    Then the task "close_pathway" is open
    And the task "plan_treatment" is not open
    And there is no "first evaluation" deadline
    When the coordinator registered "Avslutte pakkeforløpet" on Wednesday 2026-01-21 with outcome "other"
    Then the pathway is completed
    And the pathway was closed on Wednesday 2026-01-21
    And there is no "evaluation interval" deadline
    And no follow-up plan was sent to the municipality

    Examples:
      | setting    | decision |
      | outpatient | CK       |
      | inpatient  | CA       |

  Scenario Outline: Time between evaluations
    Given a serious <setting> referral to "eating_disorders_children" was received on Monday 2026-01-05
    And the referral was assessed on Tuesday 2026-01-06 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    And the clinical decision after basic assessment was "CP" on Monday 2026-01-19
    And the treatment plan was made with the patient and the parents on Monday 2026-01-19
    When the treatment was evaluated with the patient on Monday 2026-02-02, continuing treatment
    Then the "first evaluation" deadline is met
    And the "evaluation interval" deadline number 1 started on Monday 2026-02-02
    And the "evaluation interval" deadline number 1 is due on <due>
    When the treatment was evaluated with the patient on <second>, continuing treatment
    Then the "evaluation interval" deadline number 1 is <status>
    And the "evaluation interval" deadline number 2 started on <second>
    And the "evaluation interval" deadline number 2 is pending
    And the "evaluation interval" deadline has been measured 2 times

    Examples: Outpatient: 42 days
      | setting    | due               | second             | status   |
      | outpatient | Monday 2026-03-16 | Monday 2026-03-16  | met      |
      | outpatient | Monday 2026-03-16 | Tuesday 2026-03-17 | breached |

    Examples: Inpatient: 14 days
      | setting    | due               | second             | status   |
      | inpatient  | Monday 2026-02-16 | Monday 2026-02-16  | met      |
      | inpatient  | Monday 2026-02-16 | Tuesday 2026-02-17 | breached |
