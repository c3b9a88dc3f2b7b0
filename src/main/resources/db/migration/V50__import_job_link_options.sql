-- What an import_url call may add for a cloud-drive link: the Google export format word (docx, pdf, md ...) and the
-- link's password (Dropbox, Box), sealed with caravan.secret-key (AES-GCM, bound to the job id) and cleared when
-- the job ends. H2 and PostgreSQL.
alter table import_job add column export_format varchar(16);
alter table import_job add column link_password varchar(1024);
