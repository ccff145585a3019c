Feature: Moving running patients to a fixed version of their pathway
  A modeller who fixes a pathway file moves the patients already on it to the fixed version. A dry-run first
  says, patient by patient, whether the patient can move and what changes, and writes nothing. Each patient moves
  on their own: one who cannot move is told why and does not stop the others. A move can be undone.

  Background:
    Given outpatient TSB patients "Anne" and "Cecilie" of "DPS Test" and "Bjørn" of "DPS Nord" had the clinical decision "CT" on Monday 2026-01-26
    And the treatment of "Cecilie" was evaluated on Friday 2026-02-06, after the 7 days of the first evaluation
    And "Anne" and "Bjørn" have not had the first evaluation on Friday 2026-02-06

  Scenario: A fixed evaluation deadline moves the patients who have not reached it yet
    When the modeller deploys a version where the first evaluation is due within 14 days
    And the modeller runs a dry-run of moving the pathway's patients to it
    Then the dry-run says 3 patients can move
    And the dry-run says the "first evaluation" deadline of "Anne" moves from Monday 2026-02-02 to Monday 2026-02-09
    And the dry-run changes no deadline of "Cecilie"
    And nothing was written by the dry-run
    When the modeller migrates the pathway's patients to the new version
    Then 3 patients moved to the new version
    And the "first evaluation" deadline of "Anne" is due on Monday 2026-02-09 and pending
    And the "first evaluation" deadline of "Cecilie" is still breached, due on Monday 2026-02-02
    And each patient who moved has a migration record and an audit row

  Scenario: Only the patients of a chosen unit move
    When the modeller deploys a version where the first evaluation is due within 14 days
    And the modeller migrates only the patients of unit "DPS Nord" to the new version
    Then only "Bjørn" moved to the new version

  Scenario: A move is undone
    When the modeller deploys a version where the first evaluation is due within 14 days
    And the modeller migrates the pathway's patients to the new version
    And the modeller reverts the move of "Anne"
    Then "Anne" is on the first version again
    And the "first evaluation" deadline of "Anne" is due on Monday 2026-02-02
    And the move of "Anne" is recorded as reverted

  Scenario: A coordinator may not move patients between versions
    When the modeller deploys a version where the first evaluation is due within 14 days
    Then a coordinator who tries to migrate the pathway's patients is refused with "role_forbidden"
    And a manager who tries to migrate the pathway's patients is refused with "role_forbidden"
