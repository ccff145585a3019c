Feature: Moving patients whose pathway waits for a reminder, when not every patient can move
  The reminder pathway assesses the referral, waits a day, computes the follow-up and opens a follow-up task.
  Patients move one by one: a patient who cannot move, or whose move fails in the new version, is told why and
  the others move all the same.

  Scenario: A patient whose current task is gone from the new version is refused with its reason
    Given 1 patient of the reminder pathway has the follow-up task open
    And 2 patients of the reminder pathway wait for their reminder
    When the modeller deploys a reminder version without the follow-up task
    And the modeller migrates the reminder pathway's patients to the new version
    Then 2 patients moved to the new version
    And the patient with the follow-up task is refused because "current_task_removed"
    And the patient with the follow-up task is still on the first version with the follow-up task open

  Scenario: One patient whose move fails does not stop the others
    Given 1 patient of the reminder pathway waits for a reminder that is due now
    And 2 patients of the reminder pathway wait for their reminder
    When the modeller deploys a reminder version whose follow-up script fails
    And the modeller migrates the reminder pathway's patients to the new version
    Then 2 patients moved to the new version
    And the patient whose reminder is due is refused because "engine_error"
    And the patient whose reminder is due is still on the first version

  Scenario: A patient stopped by a broken script moves to the fixed version and the incident is resolved
    Given 1 patient of the reminder pathway waits for a reminder on a version whose script fails
    And the scheduler has recorded an incident for the patient's reminder
    When the modeller deploys a reminder version whose script works
    And the modeller runs a dry-run of moving the reminder pathway's patients to it
    Then the dry-run says the incident would be resolved and the follow-up task opened
    When the modeller migrates the reminder pathway's patients to the new version
    Then the patient has the follow-up task
    And the incident is resolved with a note naming the migration
