-- CreateTable
CREATE TABLE "UserUploadBatch" (
    "uploadId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "rowCount" INTEGER NOT NULL,
    "rows" JSONB NOT NULL,

    CONSTRAINT "UserUploadBatch_pkey" PRIMARY KEY ("uploadId","index")
);

-- AddForeignKey
ALTER TABLE "UserUploadBatch" ADD CONSTRAINT "UserUploadBatch_uploadId_fkey" FOREIGN KEY ("uploadId") REFERENCES "UserUpload"("id") ON DELETE CASCADE ON UPDATE CASCADE;
