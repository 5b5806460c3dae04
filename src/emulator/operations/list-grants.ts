import { optionalString, page } from '../input';
import { epochSeconds } from '../metadata';
import { GrantRecordStored } from '../state';
import { Handler } from './handler';
import { keyFromInput } from './shared';

/** A grant as ListGrants returns it. */
export function grantListEntry(g: GrantRecordStored): Record<string, unknown> {
  const constraints = g.constraints && (g.constraints.encryptionContextEquals || g.constraints.encryptionContextSubset)
    ? { EncryptionContextEquals: g.constraints.encryptionContextEquals, EncryptionContextSubset: g.constraints.encryptionContextSubset }
    : undefined;
  return {
    KeyId: g.keyArn,
    GrantId: g.grantId,
    Name: g.name ?? '',
    CreationDate: epochSeconds(g.createdAt),
    GranteePrincipal: g.granteePrincipal,
    RetiringPrincipal: g.retiringPrincipal,
    IssuingAccount: g.issuingAccount,
    Operations: g.operations,
    Constraints: constraints,
  };
}

export const listGrants: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const grantId = optionalString(input, 'GrantId', { max: 128 });
  const grantee = optionalString(input, 'GranteePrincipal', { max: 256 });
  ctx.authorize('kms:ListGrants', key);
  const grants = ctx.grantsOf(key).filter(g => (!grantId || g.grantId === grantId) && (!grantee || g.granteePrincipal === grantee));
  const { items, truncated, nextMarker } = page(input, grants);
  return { Grants: items.map(grantListEntry), Truncated: truncated, NextMarker: nextMarker };
};
