// The sample datasets of an electric-vehicle maker's after-sales network, as a backend team
// would declare them. Used by the demo, the tests and the benchmarks.
import { generalize, mask, pseudonymize } from 'datagate/anonymize'
import { defineDataset, field } from 'datagate/classify'
import { z } from 'zod'

/** Customers of the service network. */
export const Customer = defineDataset(
  'customer',
  z.object({
    customerId: field.desensitised(z.string(), pseudonymize({ prefix: 'cus_' })),
    name: field.sensitive(z.string(), { pii: 'name' }),
    idNumber: field.sensitive(z.string(), { pii: 'resident_id' }),
    phone: field.desensitised(z.string(), mask.phone(), { pii: 'mobile' }),
    email: field.desensitised(z.string(), mask.email(), { pii: 'email' }).optional(),
    city: field.public(z.string(), { quasiIdentifier: true }),
    age: field.desensitised(z.number().int().min(0).max(130), generalize.range({ width: 10 }), {
      quasiIdentifier: true,
    }),
    vehicle: z.object({
      vin: field.desensitised(z.string(), mask.vin(), { pii: 'vin' }),
      plate: field.sensitive(z.string(), { pii: 'licence_plate' }),
      model: field.public(z.string(), { quasiIdentifier: true }),
    }),
  }),
  { version: '2026-11' },
)

/** Repair orders opened at service outlets. */
export const RepairOrder = defineDataset(
  'repair_order',
  z.object({
    orderId: field.public(z.string()),
    outletId: field.public(z.string()),
    customerId: field.desensitised(z.string(), pseudonymize({ prefix: 'cus_' })),
    customerName: field.sensitive(z.string(), { pii: 'name' }),
    customerPhone: field.desensitised(z.string(), mask.phone(), { pii: 'mobile' }),
    city: field.public(z.string()),
    openedAt: field.desensitised(z.string(), generalize.date('day')),
    estimatedHours: field.public(z.number().min(0)),
    vehicle: z.object({
      vin: field.desensitised(z.string(), mask.vin(), { pii: 'vin' }),
      model: field.public(z.string()),
    }),
    services: z.array(
      z.object({
        code: field.public(z.string()),
        price: field.public(z.number()),
      }),
    ),
    technicianName: field.sensitive(z.string(), { pii: 'name' }),
  }),
  { version: '2026-11' },
)

/** Charging sessions at the network's stations. */
export const ChargingSession = defineDataset(
  'charging_session',
  z.object({
    sessionId: field.public(z.string()),
    customerId: field.desensitised(z.string(), pseudonymize({ prefix: 'cus_' })),
    stationCity: field.public(z.string()),
    startedAt: field.desensitised(z.string(), generalize.date('month')),
    kwh: field.public(z.number().min(0)),
    fee: field.public(z.number().min(0)),
  }),
  { version: '2026-11' },
)

/** Service outlets: public by nature, except who manages them. */
export const Outlet = defineDataset(
  'outlet',
  z.object({
    outletId: field.public(z.string()),
    name: field.public(z.string()),
    city: field.public(z.string()),
    address: field.public(z.string()),
    location: z.object({ lat: field.public(z.number()), lng: field.public(z.number()) }),
    managerName: field.sensitive(z.string(), { pii: 'name' }),
    managerPhone: field.desensitised(z.string(), mask.phone(), { pii: 'mobile' }),
    laborRatePerHour: field.public(z.number()),
  }),
  { version: '2026-11' },
)

/** Every sample dataset. */
export const datasets = [Customer, RepairOrder, ChargingSession, Outlet]
