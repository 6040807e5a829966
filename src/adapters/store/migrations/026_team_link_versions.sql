-- The signed links to a team's page (the leader's, and each member's own to leave) name the version
-- they were made with. Issuing a new link bumps the version, so every older link of that person
-- for that team stops working at once. No row means version 1 (the first link ever issued).
-- An erased contact's versions go with them.
create table team_link_versions (
  team_id bigint not null,
  contact_id bigint not null references contacts (id) on delete cascade,
  version integer not null,
  primary key (team_id, contact_id)
);
