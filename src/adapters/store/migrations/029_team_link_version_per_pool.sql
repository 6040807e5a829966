-- A link's version is drawn from a counter of its pool (team_pools.last_link_version), never from
-- the person's own count: a person who gets a role back (the leader role moved A -> B -> A, a
-- member removed and added again) gets a version no link of that pool ever carried, so none of
-- their earlier links comes back to life. The counter starts above every version already issued.
alter table team_pools add column last_link_version integer not null default 1;
update team_pools pool
   set last_link_version = greatest(1, (select max(version) from team_link_versions v where v.team_id = pool.id))
 where exists (select 1 from team_link_versions v where v.team_id = pool.id);
