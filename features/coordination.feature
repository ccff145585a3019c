Feature: Two-way coordination between specialist care and the municipality
  The specialist-care pathway coordinator contacts the municipal pathway coordinator named in the referral
  (domain reference §7; https://www.helse-fonna.no/avdelinger/klinikk-for-psykisk-helsevern/pakkeforlop-psykisk-helsevern/).
  The contact is a message ("coordination_contact") that starts the municipality's coordination pathway, or links
  the one that already runs. The municipality answers by messages too: changed needs found when the individual plan
  is evaluated, and an invitation to the responsibility group. Both coordinators see every message on the patient's
  timeline, and a message nobody has received yet is shown as not delivered.
  The national pathway sets no deadline for the contact: the 10 working days are local configuration, flagged as
  unconfirmed in the pathway files.

  Scenario: A referral that names the municipal coordinator gives the contact task, with its local deadline
    Given an outpatient TSB referral naming "Per Koordinator" in "Porsgrunn kommune" was received on Monday 2026-01-05
    Then the task "contact_municipal_coordinator" is open in the lane "Forløpskoordinator"
    And the task "assess_referral" is open
    And the "municipal coordinator contact" deadline is due on Monday 2026-01-19
    And the "municipal coordinator contact" deadline is flagged as unconfirmed

  Scenario: A referral that names no municipal coordinator gives no contact task and no deadline
    Given an outpatient TSB referral was received on Monday 2026-01-05
    Then the task "contact_municipal_coordinator" is not open
    And there is no "municipal coordinator contact" deadline

  Scenario: The contact starts the municipal coordination in the named municipality, and both timelines show it
    Given an outpatient TSB referral naming "Per Koordinator" in "Porsgrunn kommune" was received on Monday 2026-01-05
    When the specialist coordinator contacted "Porsgrunn kommune" on Thursday 2026-01-08
    Then the "municipal coordinator contact" deadline is met
    And the municipal coordination runs in "Porsgrunn kommune", started on Thursday 2026-01-08
    And on the municipal side the task "inform_patient" is open
    And the municipal pathway shows it was started by the message from the specialist pathway
    And the specialist pathway shows the message "coordination_contact" as delivered

  Scenario: A coordination that already runs is linked, and its coordinator gets a task
    Given the municipality "Porsgrunn kommune" already coordinates for the patient since Friday 2026-01-02
    And an outpatient TSB referral naming "Per Koordinator" in "Porsgrunn kommune" was received on Monday 2026-01-05
    When the specialist coordinator contacted "Porsgrunn kommune" on Thursday 2026-01-08
    Then the patient still has one municipal coordination
    And on the municipal side the task "register_specialist_contact" is open
    And the municipal pathway shows it was linked by the message from the specialist pathway

  Scenario: Changed needs found at the evaluation of the individual plan reach the specialist coordinator
    Given an outpatient TSB referral naming "Per Koordinator" in "Porsgrunn kommune" was received on Monday 2026-01-05
    And the specialist coordinator contacted "Porsgrunn kommune" on Thursday 2026-01-08
    And the municipality has reached the evaluation of the individual plan on Monday 2026-02-02
    When the municipal coordinator evaluated the individual plan on Tuesday 2026-02-03, reporting changed needs "Mistet boligen"
    Then on the specialist side the task "assess_changed_needs" is open
    And the specialist coordinator's task carries the note "Mistet boligen" from "Porsgrunn kommune"

  Scenario: An invitation to the responsibility group reaches the specialist coordinator
    Given an outpatient TSB referral naming "Per Koordinator" in "Porsgrunn kommune" was received on Monday 2026-01-05
    And the specialist coordinator contacted "Porsgrunn kommune" on Thursday 2026-01-08
    When the municipal coordinator established the responsibility group on Monday 2026-01-26, inviting specialist care to a meeting on Monday 2026-02-09
    Then on the specialist side the task "plan_responsibility_group_meeting" is open

  Scenario: Changed needs reported when no specialist pathway runs are kept and shown as not delivered
    Given an outpatient TSB referral naming "Per Koordinator" in "Porsgrunn kommune" was received on Monday 2026-01-05
    And the specialist coordinator contacted "Porsgrunn kommune" on Thursday 2026-01-08
    And the municipality has reached the evaluation of the individual plan on Monday 2026-02-02
    And the specialist pathway was closed on Monday 2026-02-02 as the patient moved
    When the municipal coordinator evaluated the individual plan on Tuesday 2026-02-03, reporting changed needs "Mistet boligen"
    Then the municipal pathway shows the message "changed_needs" as not delivered

  Scenario: A crisis ("blålys") on the municipality's main course 3 reaches the specialist coordinator
    Given an outpatient TSB referral naming "Per Koordinator" in "Porsgrunn kommune" was received on Monday 2026-01-05
    And the municipality "Porsgrunn kommune" runs main course 3 for the patient since Monday 2026-01-05
    When a crisis was reported to main course 3 on Wednesday 2026-02-04 and "Ambulant akutteam" got the authority to coordinate
    Then on the specialist side the task "follow_up_crisis_notice" is open
    And the specialist coordinator's crisis task carries the note "Ambulant akutteam" from "Porsgrunn kommune"
