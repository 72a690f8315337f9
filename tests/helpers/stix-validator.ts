/**
 * A local check of STIX 2.1 bundles against the rules we can verify without the OASIS validator:
 * identifier form (`type--UUID`), required properties per object type, timestamps, that every
 * reference (object_refs, object_marking_refs, created_by_ref) points at an object in the bundle,
 * and the pattern syntax of the comparison kinds Convene exports. Returns the problems found.
 */

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const ID = new RegExp(`^([a-z][a-z0-9-]*[a-z0-9])--${UUID}$`);
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const COMMON = ['type', 'spec_version', 'id', 'created'];
const REQUIRED: Record<string, string[]> = {
  'marking-definition': COMMON,
  identity: [...COMMON, 'modified', 'name'],
  indicator: [...COMMON, 'modified', 'pattern', 'pattern_type', 'valid_from'],
  report: [...COMMON, 'modified', 'name', 'published', 'object_refs'],
};
const TLP2_EXTENSION = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';
const STRING = "'(?:[^'\\\\]|\\\\['\\\\])*'";
const PATTERNS = [
  new RegExp(`^\\[url:value = ${STRING}\\]$`),
  new RegExp(`^\\[domain-name:value = ${STRING}\\]$`),
  new RegExp(`^\\[ipv4-addr:value = '\\d{1,3}(\\.\\d{1,3}){3}'\\]$`),
  new RegExp(`^\\[ipv6-addr:value = '[0-9a-fA-F:.]+'\\]$`),
  /^\[file:hashes\.'MD5' = '[0-9a-f]{32}'\]$/,
  /^\[file:hashes\.'SHA-1' = '[0-9a-f]{40}'\]$/,
  /^\[file:hashes\.'SHA-256' = '[0-9a-f]{64}'\]$/,
  new RegExp(`^\\[user-account:account_login = ${STRING}\\]$`),
];

export function validateStixBundle(bundle: any): string[] {
  const problems: string[] = [];
  if (bundle?.type !== 'bundle') problems.push('bundle: type must be "bundle"');
  if (typeof bundle?.id !== 'string' || !ID.test(bundle.id) || !bundle.id.startsWith('bundle--')) problems.push(`bundle: bad id ${bundle?.id}`);
  if (!Array.isArray(bundle?.objects)) return [...problems, 'bundle: objects must be a list'];
  const ids = new Set<string>();
  for (const object of bundle.objects) {
    if (ids.has(object.id)) problems.push(`${object.id}: duplicate id`);
    ids.add(object.id);
  }
  const refersTo = (where: string, ref: unknown, type?: string) => {
    if (typeof ref !== 'string' || !ids.has(ref)) problems.push(`${where}: reference ${String(ref)} is not in the bundle`);
    else if (type && !ref.startsWith(`${type}--`)) problems.push(`${where}: ${ref} is not a ${type}`);
  };
  for (const object of bundle.objects) {
    const where = String(object.id);
    const match = typeof object.id === 'string' ? ID.exec(object.id) : null;
    if (!match || match[1] !== object.type) problems.push(`${where}: id must be ${object.type}--<uuid>`);
    const required = REQUIRED[object.type];
    if (!required) problems.push(`${where}: unexpected type ${object.type}`);
    for (const property of required ?? []) if (object[property] === undefined) problems.push(`${where}: missing ${property}`);
    if (object.spec_version !== '2.1') problems.push(`${where}: spec_version must be "2.1"`);
    for (const property of ['created', 'modified', 'valid_from', 'published']) {
      if (object[property] !== undefined && !TIMESTAMP.test(object[property])) problems.push(`${where}: ${property} is not a STIX timestamp`);
    }
    if (object.modified && object.created && object.modified < object.created) problems.push(`${where}: modified before created`);
    for (const ref of object.object_marking_refs ?? []) refersTo(`${where} object_marking_refs`, ref, 'marking-definition');
    if (object.created_by_ref !== undefined) refersTo(`${where} created_by_ref`, object.created_by_ref, 'identity');
    switch (object.type) {
      case 'report':
        if (!Array.isArray(object.object_refs) || object.object_refs.length === 0) problems.push(`${where}: object_refs must be a non-empty list`);
        for (const ref of object.object_refs ?? []) refersTo(`${where} object_refs`, ref);
        break;
      case 'indicator':
        if (object.pattern_type !== 'stix') problems.push(`${where}: pattern_type must be stix`);
        if (!PATTERNS.some((pattern) => pattern.test(object.pattern))) problems.push(`${where}: pattern ${object.pattern} is not valid`);
        break;
      case 'marking-definition': {
        const extension = object.extensions?.[TLP2_EXTENSION];
        if (!extension || extension.extension_type !== 'property-extension' || !['clear', 'green', 'amber', 'amber+strict', 'red'].includes(extension.tlp_2_0)) {
          problems.push(`${where}: not a TLP 2.0 marking definition`);
        }
        if (object.name !== `TLP:${String(extension?.tlp_2_0).toUpperCase()}`) problems.push(`${where}: name does not match its TLP level`);
        break;
      }
    }
  }
  return problems;
}
