import { expect } from 'chai';
import { Permission, auditEntryView, can, canChangeRoles, canSeeSupportRequest, canSuspend, supportViewerRole, type Actor } from '../../backend/src/policy/policy.ts';

const base = { organisationId: 'org', roles: [] as Actor['roles'] };
const ACTORS: Record<string, Actor | null> = {
  visitor: null,
  applicant: { ...base, id: 'a', status: 'applicant', sector: null, organisationId: null },
  government: { ...base, id: 'g', status: 'member', sector: 'government' },
  industry: { ...base, id: 'i', status: 'member', sector: 'industry' },
  civil_society: { ...base, id: 'c', status: 'member', sector: 'civil_society' },
  academia: { ...base, id: 'r', status: 'member', sector: 'academia' },
  liaison: { ...base, id: 'l', status: 'member', sector: 'government', roles: ['liaison'] },
  organiser: { ...base, id: 'o', status: 'member', sector: 'academia', roles: ['organiser'] },
  moderator: { ...base, id: 'm', status: 'member', sector: 'civil_society', roles: ['moderator'] },
  admin: { ...base, id: 'x', status: 'member', sector: 'industry', roles: ['admin'] },
  expert: { ...base, id: 'e', status: 'member', sector: 'academia', roles: ['expert'] },
  triage: { ...base, id: 't', status: 'member', sector: 'civil_society', roles: ['triage'] },
  orphan: { ...base, id: 'n', status: 'member', sector: null, organisationId: null },
  suspended: { ...base, id: 's', status: 'suspended', sector: 'industry', roles: ['moderator'] },
  // Re-verification ran out: the account is kept, nothing else is reached (roles included).
  lapsed: { ...base, id: 'p', status: 'lapsed', sector: 'industry', roles: ['moderator'] },
};

const MEMBERS = ['government', 'industry', 'civil_society', 'academia', 'liaison', 'organiser', 'moderator', 'admin', 'expert', 'triage', 'orphan'];
const STAFF = ['moderator', 'admin'];

/** The whole matrix, written out: who may do what. A change to the policy must change this table. */
const EXPECTED: Record<Permission, string[]> = {
  [Permission.ApplicationOwn]: ['applicant', ...MEMBERS],
  [Permission.ApplicationReview]: STAFF,
  [Permission.OrganisationRead]: ['applicant', ...MEMBERS],
  [Permission.OrganisationManage]: STAFF,
  [Permission.RoleManage]: ['admin'],
  [Permission.MemberSuspend]: STAFF,
  [Permission.AuditRead]: STAFF,
  [Permission.DirectoryRead]: MEMBERS,
  [Permission.ProfileOwn]: ['applicant', 'lapsed', ...MEMBERS],
  [Permission.AffiliationConfirm]: ['lapsed', ...MEMBERS],
  [Permission.ReverificationReview]: STAFF,
  [Permission.NotificationsOwn]: ['applicant', ...MEMBERS],
  [Permission.SignOut]: ['applicant', ...MEMBERS, 'suspended', 'lapsed'],
  [Permission.Converse]: MEMBERS,
  [Permission.ChannelManage]: STAFF,
  [Permission.SpaceManage]: ['admin'],
  [Permission.MailAdmin]: ['admin'],
  [Permission.CacheStats]: ['admin'],
  [Permission.LibraryEdit]: STAFF,
  [Permission.AuthorReveal]: STAFF,
  [Permission.AlertsRead]: MEMBERS,
  [Permission.AlertPublish]: ['liaison', ...STAFF],
  [Permission.ContentReport]: MEMBERS,
  [Permission.ContentModerate]: STAFF,
  [Permission.ModerationOwn]: MEMBERS,
  [Permission.TransparencyRead]: MEMBERS,
  [Permission.Search]: MEMBERS,
  [Permission.EventsRead]: MEMBERS,
  [Permission.EventOrganise]: ['organiser', ...STAFF],
  // Every member with an organisation; desk roles are never implied by admin.
  [Permission.SupportOpen]: MEMBERS.filter((name) => name !== 'orphan'),
  [Permission.SupportTriage]: ['triage'],
  [Permission.SupportExpert]: ['expert'],
  [Permission.ExpertManage]: STAFF,
};

describe('authorization policy', function () {
  it('covers every permission in the matrix', function () {
    expect(Object.keys(EXPECTED).sort()).to.deep.equal(Object.values(Permission).sort());
  });

  for (const permission of Object.values(Permission)) {
    for (const [name, actor] of Object.entries(ACTORS)) {
      const allowed = EXPECTED[permission].includes(name);
      it(`${allowed ? 'lets' : 'refuses'} ${name} ${permission}`, function () {
        expect(can(actor, permission)).to.equal(allowed);
      });
    }
  }

  it('lets an admin change roles of members only, and never removes the last admin', function () {
    const admin = ACTORS.admin!;
    expect(canChangeRoles(admin, { id: 'i', status: 'member' }, { role: 'liaison', grant: true }, 2)).to.equal(true);
    expect(canChangeRoles(admin, { id: 'a', status: 'applicant' }, { role: 'liaison', grant: true }, 2)).to.equal(false);
    expect(canChangeRoles(admin, { id: 'x', status: 'member' }, { role: 'admin', grant: false }, 1)).to.equal(false);
    expect(canChangeRoles(admin, { id: 'x', status: 'member' }, { role: 'admin', grant: false }, 2)).to.equal(true);
    expect(canChangeRoles(ACTORS.moderator!, { id: 'i', status: 'member' }, { role: 'liaison', grant: true }, 2)).to.equal(false);
  });

  it('lets moderators suspend members but not themselves or staff; admins suspend staff', function () {
    const target = (roles: Actor['roles'], id = 't') => ({ id, roles, status: 'member' as const });
    expect(canSuspend(ACTORS.moderator!, target([]))).to.equal(true);
    expect(canSuspend(ACTORS.moderator!, target([], 'm'))).to.equal(false);
    expect(canSuspend(ACTORS.moderator!, target(['moderator']))).to.equal(false);
    expect(canSuspend(ACTORS.admin!, target(['moderator']))).to.equal(true);
    expect(canSuspend(ACTORS.industry!, target([]))).to.equal(false);
    expect(canSuspend(ACTORS.suspended!, target([]))).to.equal(false);
  });
});

describe('support-desk visibility (canSeeSupportRequest)', function () {
  const member = (id: string, organisationId: string | null, roles: Actor['roles'] = []): Actor => ({ id, status: 'member', sector: 'industry', organisationId, roles });
  const request = (visibility: 'org' | 'requester') => ({ requesterId: 'req', organisationId: 'acme', visibility, assignedExpertIds: ['exp'] }) as const;
  const PEOPLE: Record<string, Actor | null> = {
    visitor: null,
    requester: member('req', 'acme'),
    colleague: member('col', 'acme'),
    otherOrg: member('oth', 'globex'),
    moderator: member('mod', 'ngo', ['moderator']),
    admin: member('adm', 'ngo', ['admin']),
    triage: member('tri', 'ngo', ['triage']),
    assignedExpert: member('exp', 'uni', ['expert']),
    unassignedExpert: member('une', 'uni', ['expert']),
    suspendedTriage: { ...member('sus', 'ngo', ['triage']), status: 'suspended' },
    // Assigned, but holds the role no longer.
    formerExpert: member('exp', 'uni', []),
  };
  const EXPECTED_SEES: Record<'org' | 'requester', string[]> = {
    org: ['requester', 'colleague', 'triage', 'assignedExpert'],
    requester: ['requester', 'triage', 'assignedExpert'],
  };
  for (const visibility of ['org', 'requester'] as const) {
    for (const [name, actor] of Object.entries(PEOPLE)) {
      const sees = EXPECTED_SEES[visibility].includes(name);
      it(`${sees ? 'shows' : 'hides'} a request visible to "${visibility}" ${sees ? 'to' : 'from'} ${name}`, function () {
        expect(canSeeSupportRequest(actor, request(visibility))).to.equal(sees);
      });
    }
  }
  it('names how each person sees it: requester side first, then triage, then expert', function () {
    expect(supportViewerRole(PEOPLE.requester, request('org'))).to.equal('requester');
    expect(supportViewerRole(PEOPLE.colleague, request('org'))).to.equal('organisation');
    expect(supportViewerRole(member('x', 'acme', ['triage']), request('org'))).to.equal('organisation');
    expect(supportViewerRole(member('x', 'acme', ['triage']), request('requester'))).to.equal('triage');
    expect(supportViewerRole(PEOPLE.assignedExpert, request('org'))).to.equal('expert');
  });
  it('shows audit entries about a request in full only to people who may see it, and never to an expert of an anonymous request', function () {
    const place = (anonymousToExperts: boolean) => ({ support: request('org'), anonymousToExperts });
    expect(auditEntryView(member('m', 'acme', ['moderator']), place(false))).to.equal('full');
    expect(auditEntryView(PEOPLE.moderator!, place(false))).to.equal('none');
    expect(auditEntryView(PEOPLE.admin!, place(false))).to.equal('withheld');
    expect(auditEntryView(member('tri', 'ngo', ['triage', 'moderator']), place(true))).to.equal('full');
    expect(auditEntryView(member('exp', 'uni', ['expert', 'moderator']), place(false))).to.equal('full');
    expect(auditEntryView(member('exp', 'uni', ['expert', 'moderator']), place(true))).to.equal('none');
  });
});
