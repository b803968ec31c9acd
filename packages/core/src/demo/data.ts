import type { MemoryTicket } from '../memory/psa.js';
import type { PsaCompany, PsaContact } from '../ports/psa.js';
import type { EndUser } from '../types.js';

/** A client company as the MSP knows it in QDesk (a customer), for the demo's matching data. @public */
export interface DemoCustomer {
  /** Customer id. */
  id: string;
  /** The MSP. */
  tenantId: string;
  /** Name, without legal suffixes. */
  name: string;
  /** Email domain, when known. */
  domain: string | null;
}

/** Demo data: one MSP, its client companies, contacts, tickets and end-user accounts. @public */
export interface DemoData {
  /** The demo MSP's tenant id. */
  tenantId: string;
  /** Client companies in the PSA. */
  companies: PsaCompany[];
  /** Contacts in the PSA. */
  contacts: PsaContact[];
  /** Tickets in the PSA, covering every precondition case. */
  tickets: MemoryTicket[];
  /** End-user accounts in the directory (matched to contacts by email). */
  endUsers: EndUser[];
  /** The MSP's customers in QDesk: the client companies, named the way QDesk knows them (without legal suffixes). */
  customers: DemoCustomer[];
}

const TENANT = 'demo-msp';

const company = (id: number, name: string, web: string): PsaCompany => ({
  id: String(id),
  name,
  webAddress: web,
  isActive: true,
});

const contact = (
  id: number,
  companyId: number,
  firstName: string,
  lastName: string,
  email: string | null,
  mobilePhone: string | null,
): PsaContact => ({
  id: String(id),
  companyId: String(companyId),
  firstName,
  lastName,
  emails: email ? [email] : [],
  mobilePhone,
  phone: null,
  isActive: true,
});

/**
 * Builds the demo data set: three client companies, contacts with and without email, end-users with a push device,
 * with notifications turned off, with no device and with no phone, and tickets for every precondition case
 * (`T1001` ready, `T1005` no contact, `T1006` contact without email, `T1007` no matching account, `T1008` no company).
 * @public
 */
export function createDemoData(): DemoData {
  const companies = [
    company(101, 'Northwind Traders Inc.', 'northwind.example'),
    company(102, 'Contoso Dental LLC', 'contoso-dental.example'),
    company(103, 'Fabrikam Logistics GmbH', 'fabrikam.example'),
  ];
  const contacts = [
    contact(201, 101, 'Ana', 'Silva', 'ana.silva@northwind.example', '+15550100001'),
    contact(202, 101, 'Ben', 'Okafor', 'ben.okafor@northwind.example', '+15550100002'),
    contact(203, 102, 'Chloé', 'Martin', 'chloe.martin@contoso-dental.example', '+15550100003'),
    contact(204, 102, 'Dev', 'Patel', 'dev.patel@contoso-dental.example', null),
    contact(205, 103, 'Eva', 'Schmidt', null, '+15550100005'),
    contact(206, 103, 'Farid', 'Haddad', 'farid.haddad@fabrikam.example', '+15550100006'),
  ];
  const tickets: MemoryTicket[] = [
    {
      id: '1001',
      number: 'T20261124.0001',
      title: 'Password reset request',
      companyId: '101',
      contactId: '201',
    },
    { id: '1002', number: 'T20261124.0002', title: 'MFA device lost', companyId: '101', contactId: '202' },
    {
      id: '1003',
      number: 'T20261124.0003',
      title: 'Locked out of email',
      companyId: '102',
      contactId: '203',
    },
    {
      id: '1004',
      number: 'T20261124.0004',
      title: 'New phone, reset MFA',
      companyId: '102',
      contactId: '204',
    },
    {
      id: '1005',
      number: 'T20261124.0005',
      title: 'Caller did not give a name',
      companyId: '103',
      contactId: null,
    },
    { id: '1006', number: 'T20261124.0006', title: 'VPN access', companyId: '103', contactId: '205' },
    { id: '1007', number: 'T20261124.0007', title: 'Account unlock', companyId: '103', contactId: '206' },
    { id: '1008', number: 'T20261124.0008', title: 'Walk-in request', companyId: null, contactId: null },
  ];
  const endUsers: EndUser[] = [
    {
      id: 'eu-ana',
      tenantId: TENANT,
      email: 'ana.silva@northwind.example',
      displayName: 'Ana Silva',
      mobilePhone: '+15550100001',
      customerId: 'cust-northwind',
      devices: [
        {
          id: 'dev-ana-phone',
          platform: 'ios',
          pushAddress: 'demo-apns-token-ana',
          notificationPermission: 'granted',
        },
      ],
    },
    {
      id: 'eu-ben',
      tenantId: TENANT,
      email: 'ben.okafor@northwind.example',
      displayName: 'Ben Okafor',
      mobilePhone: '+15550100002',
      customerId: 'cust-northwind',
      devices: [
        {
          id: 'dev-ben-phone',
          platform: 'android',
          pushAddress: 'demo-fcm-token-ben',
          notificationPermission: 'denied',
        },
      ],
    },
    {
      id: 'eu-chloe',
      tenantId: TENANT,
      email: 'Chloe.Martin@contoso-dental.example',
      displayName: 'Chloé Martin',
      mobilePhone: '+15550100003',
      customerId: 'cust-contoso',
      devices: [],
    },
    {
      id: 'eu-dev',
      tenantId: TENANT,
      email: 'dev.patel@contoso-dental.example',
      displayName: 'Dev Patel',
      mobilePhone: null,
      customerId: 'cust-contoso',
      devices: [{ id: 'dev-dev-web', platform: 'web', pushAddress: '{}', notificationPermission: 'granted' }],
    },
    {
      id: 'eu-eva',
      tenantId: TENANT,
      email: 'eva.schmidt@fabrikam.example',
      displayName: 'Eva Schmidt',
      mobilePhone: '+15550100005',
      customerId: 'cust-fabrikam',
      devices: [],
    },
  ];
  const customers: DemoCustomer[] = [
    { id: 'cust-northwind', tenantId: TENANT, name: 'Northwind Traders', domain: 'northwind.example' },
    { id: 'cust-contoso', tenantId: TENANT, name: 'Contoso Dental', domain: 'contoso-dental.example' },
    { id: 'cust-fabrikam', tenantId: TENANT, name: 'Fabrikam Logistics GmbH', domain: null },
  ];
  return { tenantId: TENANT, companies, contacts, tickets, endUsers, customers };
}
