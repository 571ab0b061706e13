// The policy document's guardrail keys (zod strict objects like the rest of document.ts): a
// partner's `region`, an agreement's `assessment`, the cross-border and important-data
// thresholds and the default precision cap of location fields.
import { z } from 'zod'

// ISO 3166-1 alpha-2, officially assigned codes (249). `CN` is mainland China; Hong Kong (HK),
// Macao (MO) and Taiwan (TW) have their own codes and count as outside it for the cross-border
// rules, as the CAC's provisions treat them.
const ISO_3166_ALPHA2 = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR ' +
    'BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ ' +
    'EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW ' +
    'GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY ' +
    'KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV ' +
    'MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY ' +
    'QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG ' +
    'TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
)

/** A partner's `region`: `CN`, or the ISO 3166-1 alpha-2 code of a country or territory outside it. */
export const regionSchema = z
  .string()
  .refine(
    (code) => ISO_3166_ALPHA2.has(code),
    'an ISO 3166-1 alpha-2 code in capitals (CN, DE, HK, ...)',
  )

/** An agreement's `assessment`: the reference of the security assessment that covers it. */
export const assessmentSchema = z.string().min(1).max(128).regex(/\S/, 'a reference, not blanks')

const onThreshold = z.enum(['warn', 'refuse'])
const count = z.number().int().min(1).max(1_000_000_000_000)

/** `crossBorder`: the CAC 2024 thresholds, people counted per calendar year (Asia/Shanghai). */
export const crossBorderSchema = z.strictObject({
  filing: count.optional(),
  assessment: count.optional(),
  sensitivePI: count.optional(),
  onThreshold: onThreshold.optional(),
})

/** `importantData`: personal information of more than `individuals` people is important data. */
export const importantDataSchema = z.strictObject({
  individuals: count.optional(),
  onThreshold: onThreshold.optional(),
})

/** `locationPrecision`: the cap of location fields that declare none (default geohash 5). */
export const locationPrecisionSchema = z.union([
  z.strictObject({ geohash: z.number().int().min(1).max(12) }),
  z.strictObject({ decimals: z.number().int().min(0).max(8) }),
])
