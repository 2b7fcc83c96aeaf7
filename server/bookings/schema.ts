/** The booking request schema lives in the shared contract (`contract/api.ts`), used by server and pages alike. */
export { bookingRequestSchema, type BookingRequest } from '../../contract/api.ts';
