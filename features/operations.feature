Feature: Running the pathways day to day: incidents, corrections and patient-deferred
  A unit runs its pathways for months. A pathway file with a fault must not stop other patients' reminders; a
  registration made with the wrong date or the wrong outcome must be put right without losing what was
  registered; and a patient's delay counts only where the rules say the patient can delay.

  Scenario: One broken pathway file does not stop other patients' reminders
    Given 5 patients wait for a reminder on a pathway file whose script works
    And 1 patient waits for a reminder on a version of that file whose script fails
    When the scheduler runs on Thursday 2026-01-08
    Then 5 patients have their follow-up task
    And 1 incident is open at "Beregne oppfølging"
    When the scheduler runs again a minute later
    Then the incident has been tried 1 time
    When the incident is retried on the fixed version
    Then 6 patients have their follow-up task
    And no incident is open

  Scenario: A wrongly dated first attendance is corrected and the assessment deadline follows
    Given an outpatient TSB referral was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Wednesday 2026-01-14
    Then the "assessment" deadline is due on Wednesday 2026-02-04
    When the first attendance is corrected to Monday 2026-01-12 because "Timen var mandag, ikke onsdag"
    Then the "assessment" deadline is due on Monday 2026-02-02
    And the "assessment" deadline started on Monday 2026-01-12
    And the first attendance shows it was corrected from Wednesday 2026-01-14

  Scenario: A clinical decision registered with the wrong outcome is undone and registered again
    Given an outpatient TSB referral was received on Monday 2026-01-05
    And the referral was assessed on Wednesday 2026-01-07 with right to care
    And the patient attended for the first time on Monday 2026-01-12
    And somatic health and lifestyle were checked on Monday 2026-01-12
    And the clinical decision after basic assessment was "CT" on Monday 2026-01-26
    When the clinical decision is undone because "Skulle vært CU"
    Then the "assessment" deadline has not ended
    And the clinical decision can be registered again
