/**
 * The provider app's English messages (`/app`). Written the way a provider talks about their own business:
 * "your page", "your clients". Dates, times, prices and counts are not here: they come from `Intl`.
 */
export const appEn = {
  docTitle: 'Slotline — your bookings',
  loading: 'Loading…',
  retry: 'Try again',
  copy: 'Copy',
  copied: 'Copied',
  notFound: 'There is nothing at this address.',
  backHome: 'Go to your bookings',
  mainMenu: 'Main menu',
  navBookings: 'Bookings',
  navClients: 'Clients',
  navShare: 'Share',
  navSettings: 'Settings',

  // Sign-in
  signInTitle: 'Sign in to Slotline',
  signInIntro: 'Enter your email. We will send you a link to sign in — no password to remember.',
  emailLabel: 'Email',
  emailInvalid: 'Please enter an email address, for example layla@example.com.',
  sendLink: 'Email me a sign-in link',
  sending: 'Sending…',
  checkEmail: 'Check your email',
  checkEmailText: 'If {email} may sign in here, a link and a six-digit code are on their way. Open the link on this device, or type the code below. Both work once, for 15 minutes.',
  codeLabel: 'Six-digit code',
  codeHint: 'From the same email. Use it when the link opens in another browser.',
  codeInvalid: 'Please enter the six digits from the email.',
  signInWithCode: 'Sign in',
  signingIn: 'Signing in…',
  sendAgain: 'Send a new link',
  otherEmail: 'Use a different email',
  errLinkInvalid: 'That sign-in link no longer works: it was used already or is more than 15 minutes old. Ask for a new one below.',

  // Errors
  errRateLimited: 'Too many tries for now. Please wait a few minutes, then try again.',
  errInvalidCode: 'That code does not work. It may be mistyped, used already, or more than 15 minutes old.',
  errSignupClosed: 'This Slotline already has its provider, and sign-up is closed. Ask its owner to invite you.',
  errSlotTaken: 'That time is already taken. Please pick another.',
  errSlotUnavailable: 'That time is outside your bookable hours. Pick another, or tick "Book outside my hours".',
  errNotLive: 'This booking is no longer active.',
  errNotAwaiting: 'This request was already answered.',
  errNotStarted: 'This booking has not started yet.',
  errServiceInUse: 'This service has bookings, so it cannot be deleted. Hide it instead.',
  errClientUpcoming: 'This client has an upcoming booking. Cancel it first, then erase their data.',
  errSlugTaken: 'That address is taken. Please try another.',
  errServiceSlugTaken: 'Another service already uses that address.',
  errPayments: 'Refunds cannot be made right now, so nothing was cancelled. Try again, or cancel without a refund.',
  errAlreadyProvider: 'Your account already has a page.',
  errNoManageLink: 'This booking cannot be moved from here.',
  errServiceHidden: 'This service is hidden. Show it again to move bookings within your hours.',
  errNotFound: 'We could not find that. It may have been removed.',
  errCheckFields: 'Please check:',
  errOffline: 'We could not reach Slotline. Check your connection and try again.',
  errServer: 'Something went wrong on our side. Please try again in a moment.',
  errUnexpected: 'Something unexpected happened. Please try again.',
};

export type AppMessages = typeof appEn;
