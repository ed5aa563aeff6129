-- AlterTable
ALTER TABLE "UserUpload" ADD COLUMN     "fileInfo" JSONB;
