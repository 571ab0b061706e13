// The one rule of "overseas": a partner whose `region` is a code other than CN. Hong Kong, Macao
// and Taiwan have their own codes and so are outside it, as the cross-border rules treat them. A
// partner without a region is in CN (the ecosystem's partners are domestic unless declared).

/** The region of a partner: its `region`, or `CN`. */
export function regionOf(partner: { readonly region?: string | undefined }): string {
  return partner.region ?? 'CN'
}

/** Whether data sent to a partner in `region` leaves mainland China. */
export function isOverseas(region: string | undefined): boolean {
  return region !== undefined && region !== 'CN'
}
