Feature: Right to treatment at referral (behandling direkte) in the general pathways
  When the referral assessment gives the patient a right to treatment straight away, the clinical decision is
  registered at referral, without a basic assessment in the pathway. The national indicator "assessment within
  pathway time" leaves such pathways out (domain reference §6: "pathways sent straight to treatment at referral
  are excluded"), so no assessment deadline is measured; the first evaluation is measured from that decision as
  usual. Under the 2024 rules the pathway starts on the assessment with a right to care, and a right to treatment
  is one. The route is offered in D11, D12 and TSB (D01); the condition-specific pathways measure the first
  attendance and the assessment, which this route leaves out.

  Scenario Outline: A referral with right to treatment goes to treatment with no assessment deadline, in <pathway>
    Given an outpatient referral to "<pathway>" was received on Monday 2026-01-05
    When the referral was assessed on Wednesday 2026-01-07 with right to treatment at referral
    Then the task "clinical_decision_at_referral" is open
    And the task "first_attendance" is not open
    And the "referral assessment" deadline is met
    When the clinical decision at referral was "<decision>" on Wednesday 2026-01-07
    Then the task "plan_treatment" is open
    And the "clinical_decision" measuring point was registered on Wednesday 2026-01-07
    And there is no "assessment" deadline
    And the "<first evaluation>" deadline started on Wednesday 2026-01-07

    Examples:
      | pathway                    | decision | first evaluation             |
      | mental_health_adults_d11   | CP       | first evaluation             |
      | mental_health_children_d12 | CP       | first evaluation             |
      | tsb_d01                    | CT       | first evaluation (outpatient) |

  Scenario: Under the 2024 rules the pathway starts on the assessment with a right to treatment
    Given an outpatient referral to "D11" was received on Monday 2026-01-05 under the 2024 rules
    Then the pathway has not started yet
    When the referral was assessed on Friday 2026-01-09 with right to treatment at referral
    Then the pathway started on Friday 2026-01-09

  Scenario: The decision at referral is a decision to treat
    Given an outpatient referral to "D11" was received on Monday 2026-01-05
    When the referral was assessed on Wednesday 2026-01-07 with right to treatment at referral
    Then the clinical decision at referral offers only "CP, CT"

  Scenario: A pathway with an ordinary assessment still measures the assessment
    Given an outpatient referral to "D11" was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    When the patient attended for the first time on Monday 2026-01-12
    Then the "assessment" deadline started on Monday 2026-01-12
    And the task "clinical_decision_at_referral" is not open
