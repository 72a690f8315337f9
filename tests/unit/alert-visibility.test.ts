import { expect } from 'chai';
import { canManageAlert, canSeeAlert, ROLES, SECTORS, type Actor, type AlertRule, type Role, type Sector } from '../../backend/src/policy/policy.ts';

/**
 * canSeeAlert over every marking × recipients and every kind of viewer: each role in each sector,
 * in a recipient and a non-recipient organisation, a named and an unnamed person, the author,
 * and people who are not members. The expected audiences are written out per case below.
 */

/** One organisation per sector, plus a second industry one that is never named. */
const ORGS: Record<string, Sector> = { gov: 'government', ind: 'industry', ind2: 'industry', civ: 'civil_society', aca: 'academia' };

interface Viewer {
  name: string;
  actor: Actor | null;
  org: string | null;
}

const viewers: Viewer[] = [];
for (const [org, sector] of Object.entries(ORGS)) {
  for (const role of [null, ...ROLES] as (Role | null)[]) {
    const name = `${org}/${role ?? 'member'}`;
    viewers.push({ name, org, actor: { id: name, status: 'member', roles: role ? [role] : [], sector, organisationId: org } });
  }
}
viewers.push({ name: 'author', org: 'gov', actor: { id: 'author', status: 'member', roles: ['liaison'], sector: 'government', organisationId: 'gov' } });
viewers.push({ name: 'visitor', org: null, actor: null });
viewers.push({ name: 'applicant', org: null, actor: { id: 'applicant', status: 'applicant', roles: [], sector: null, organisationId: null } });
viewers.push({ name: 'suspended', org: 'ind', actor: { id: 'suspended', status: 'suspended', roles: ['moderator'], sector: 'industry', organisationId: 'ind' } });
// A suspended author loses their alerts too.
viewers.push({ name: 'author-suspended', org: 'gov', actor: { id: 'author2', status: 'suspended', roles: ['liaison'], sector: 'government', organisationId: 'gov' } });

const MEMBERS = viewers.filter((viewer) => viewer.actor?.status === 'member').map((viewer) => viewer.name);
const inOrgs = (...orgs: string[]) => viewers.filter((viewer) => viewer.actor?.status === 'member' && viewer.org && orgs.includes(viewer.org)).map((viewer) => viewer.name);

const none = { organisationIds: [], sectors: [], memberIds: [] };
const CASES: { label: string; rule: Omit<AlertRule, 'authorId'>; audience: string[] }[] = [
  { label: 'TLP:CLEAR', rule: { marking: 'TLP:CLEAR', recipients: none }, audience: MEMBERS },
  { label: 'TLP:GREEN', rule: { marking: 'TLP:GREEN', recipients: none }, audience: MEMBERS },
  { label: 'TLP:AMBER to one organisation', rule: { marking: 'TLP:AMBER', recipients: { ...none, organisationIds: ['ind'] } }, audience: [...inOrgs('ind'), 'author'] },
  { label: 'TLP:AMBER to the government sector', rule: { marking: 'TLP:AMBER', recipients: { ...none, sectors: ['government'] } }, audience: inOrgs('gov') },
  { label: 'TLP:AMBER to the industry sector', rule: { marking: 'TLP:AMBER', recipients: { ...none, sectors: ['industry'] } }, audience: [...inOrgs('ind', 'ind2'), 'author'] },
  { label: 'TLP:AMBER to an organisation and a sector', rule: { marking: 'TLP:AMBER', recipients: { ...none, organisationIds: ['civ'], sectors: ['academia'] } }, audience: [...inOrgs('civ', 'aca'), 'author'] },
  { label: 'TLP:AMBER to two sectors', rule: { marking: 'TLP:AMBER', recipients: { ...none, sectors: ['civil_society', 'academia'] } }, audience: [...inOrgs('civ', 'aca'), 'author'] },
  { label: 'TLP:AMBER+STRICT to one organisation', rule: { marking: 'TLP:AMBER+STRICT', recipients: { ...none, organisationIds: ['ind'] } }, audience: [...inOrgs('ind'), 'author'] },
  { label: 'TLP:AMBER+STRICT to two organisations', rule: { marking: 'TLP:AMBER+STRICT', recipients: { ...none, organisationIds: ['ind', 'aca'] } }, audience: [...inOrgs('ind', 'aca'), 'author'] },
  // Sectors do not count under STRICT even if present (validation refuses them; the policy ignores them).
  { label: 'TLP:AMBER+STRICT with a stray sector', rule: { marking: 'TLP:AMBER+STRICT', recipients: { ...none, organisationIds: ['civ'], sectors: ['industry'] } }, audience: [...inOrgs('civ'), 'author'] },
  { label: 'TLP:RED to one person', rule: { marking: 'TLP:RED', recipients: { ...none, memberIds: ['ind2/member'] } }, audience: ['ind2/member', 'author'] },
  { label: 'TLP:RED to a moderator and an admin', rule: { marking: 'TLP:RED', recipients: { ...none, memberIds: ['civ/moderator', 'aca/admin', 'suspended'] } }, audience: ['civ/moderator', 'aca/admin', 'author'] },
  // Organisations do not count under RED: only the named people.
  { label: 'TLP:RED with a stray organisation', rule: { marking: 'TLP:RED', recipients: { ...none, organisationIds: ['ind'], memberIds: ['gov/member'] } }, audience: ['gov/member', 'author'] },
];

describe('trend alert visibility (canSeeAlert)', function () {
  for (const { label, rule, audience } of CASES) {
    for (const authorId of ['author', 'author2']) {
      it(`${label} (author ${authorId === 'author' ? 'active' : 'suspended'}): exactly its audience`, function () {
        const expected = new Set(authorId === 'author' ? audience : audience.filter((name) => name !== 'author' || rule.marking === 'TLP:CLEAR' || rule.marking === 'TLP:GREEN' || (rule.marking === 'TLP:AMBER' && rule.recipients.sectors.includes('government'))));
        const seen = viewers.filter((viewer) => canSeeAlert(viewer.actor, { ...rule, authorId })).map((viewer) => viewer.name);
        expect(seen.sort()).to.deep.equal([...expected].sort());
      });
    }
  }

  it('checks every marking at least once', function () {
    expect(new Set(CASES.map((item) => item.rule.marking)).size).to.equal(5);
    expect(SECTORS.every((sector) => Object.values(ORGS).includes(sector))).to.equal(true);
  });

  it('lets only the author and moderators who can see it manage an alert', function () {
    const rule: AlertRule = { authorId: 'author', marking: 'TLP:AMBER', recipients: { ...none, organisationIds: ['ind'] } };
    const managers = viewers.filter((viewer) => canManageAlert(viewer.actor, rule)).map((viewer) => viewer.name);
    expect(managers.sort()).to.deep.equal(['author', 'ind/admin', 'ind/moderator']);
    // A liaison who can see it is not its manager.
    expect(canManageAlert(viewers.find((viewer) => viewer.name === 'ind/liaison')!.actor, rule)).to.equal(false);
  });
});
